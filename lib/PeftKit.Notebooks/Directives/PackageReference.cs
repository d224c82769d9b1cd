namespace PeftKit.Notebooks.Directives;

/// <summary>A <c>#r "nuget: Id[, Version]"</c> request.</summary>
/// <param name="Id">Package id as written.</param>
/// <param name="Version">Version as written (exact, range or floating); null means the latest stable.</param>
public sealed record PackageReference(string Id, string? Version)
{
    /// <summary><c>Id</c> or <c>Id, Version</c>.</summary>
    public override string ToString() => Version is null ? Id : $"{Id}, {Version}";
}
