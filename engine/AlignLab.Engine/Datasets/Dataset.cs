namespace AlignLab.Engine.Datasets;

/// <summary>The good rows of a dataset file, each with its line, and the bad rows left out (<see cref="BadRows.Skip"/>).</summary>
public sealed record Dataset<T>(string File, IReadOnlyList<T> Rows, IReadOnlyList<DatasetError> Skipped)
{
    /// <summary>One line for people: "N rows from FILE (M bad rows skipped)".</summary>
    public string Summary => $"{Rows.Count} rows from {File}" + (Skipped.Count > 0 ? $" ({Skipped.Count} bad row{(Skipped.Count == 1 ? "" : "s")} skipped)" : "");
}

/// <summary>A prompt and the line it was read from.</summary>
public sealed record PromptRow(string Prompt, int Line);

/// <summary>A preference pair: a prompt, the preferred response y_w (chosen) and the other y_l (rejected), and its line.</summary>
public sealed record PreferenceRow(string Prompt, string Chosen, string Rejected, int Line);
