namespace AlignLab.Cli.Commands;

/// <summary>One entry of a case file's "policies": a kind ("base", "bon", "worst", "optimal", "rlhf") and its parameter.</summary>
/// <param name="Kind">The kind, as written in the file.</param>
/// <param name="ParameterName">"n", "c" or "beta"; null for "base".</param>
/// <param name="Parameter">The parameter's value; null for "base".</param>
internal sealed record TheoryPolicySpec(string Kind, string? ParameterName, double? Parameter);
