namespace AlignLab.Engine.Datasets;

/// <summary>What a dataset reader does with a bad row (a missing field, empty text, an over-long prompt, unparsable JSON).</summary>
public enum BadRows
{
    /// <summary>Stop at the first bad row: an <see cref="InvalidDataException"/> whose message is the row's <see cref="DatasetError"/> (file, line, problem).</summary>
    Stop,

    /// <summary>Leave bad rows out and list them (<see cref="Dataset{T}.Skipped"/>), each with its file and line.</summary>
    Skip,
}
