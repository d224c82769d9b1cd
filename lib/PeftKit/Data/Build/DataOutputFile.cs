namespace PeftKit.Data.Build;

/// <summary>One file written by <c>kit data</c>.</summary>
/// <param name="Path">Path relative to the data folder, '/'-separated.</param>
/// <param name="Examples">Number of JSONL records.</param>
/// <param name="LabelCounts">Records per label name (or per source for pretraining), in a fixed order.</param>
/// <param name="ContentSha256">Lower-case hex SHA-256 of the uncompressed JSONL bytes (gzip bytes may differ across zlib builds).</param>
public sealed record DataOutputFile(string Path, int Examples, IReadOnlyList<KeyValuePair<string, int>> LabelCounts, string ContentSha256);
