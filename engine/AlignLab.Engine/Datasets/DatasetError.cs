namespace AlignLab.Engine.Datasets;

/// <summary>
/// A bad row: the file, the row's <see cref="Line"/> (1-based: the line of a JSONL file, the row of a Parquet file)
/// and what is wrong with it.
/// </summary>
public sealed record DatasetError(string File, int Line, string Message)
{
    /// <summary>"file:line: message" for a JSONL file, "file: row N: message" for Parquet, as compilers write locations.</summary>
    public override string ToString() =>
        DatasetFile.IsParquet(File) ? $"{File}: row {Line}: {Message}" : $"{File}:{Line}: {Message}";
}
