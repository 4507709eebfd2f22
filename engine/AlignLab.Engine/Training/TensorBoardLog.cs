using TorchSharp.Modules;
using static TorchSharp.torch.utils;

namespace AlignLab.Engine.Training;

/// <summary>
/// Per-step scalars as TensorBoard event files in one folder (<c>tensorboard --logdir</c> reads it), written through
/// TorchSharp's <c>torch.utils.tensorboard.SummaryWriter</c>: one <c>Event{step, wall_time, Summary.Value{tag, simple_value}}</c>
/// per metric, framed as TFRecords (length, masked CRC32C, data, masked CRC32C). Each value is appended and flushed to
/// disk when it is written and no file stays open, so a killed process loses at most the value being written and there
/// is nothing to close. TensorBoard stores <c>simple_value</c> as float32 and steps here must fit an int32.
/// </summary>
/// <remarks>
/// A writer starts a new event file in the folder the first time it writes (TensorBoard reads a folder's event files in
/// name order, i.e. creation order). <see cref="Rewrite"/> replaces the folder's content with given records, which is how
/// a resumed run drops the steps a killed process logged after its checkpoint: TensorBoard would show the latest value
/// per step anyway (a step smaller than the last one read evicts the later ones), but other readers of event files see
/// every record, so the dropped ones are removed rather than shadowed. Not thread-safe: callers serialise writes.
/// </remarks>
public sealed class TensorBoardLog
{
    /// <summary>The folder name AlignLab gives a run's event files, beside its <c>metrics.jsonl</c>.</summary>
    public const string FolderName = "tensorboard";

    private SummaryWriter? _writer;

    /// <summary>A log writing into <paramref name="folder"/> (created on the first write).</summary>
    public TensorBoardLog(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Folder = Path.GetFullPath(folder);
    }

    /// <summary>The folder of the event files (absolute).</summary>
    public string Folder { get; }

    /// <summary>Appends one scalar per entry of <paramref name="values"/> at <paramref name="step"/>; the tag is the metric's name.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> does not fit TorchSharp's int32 step.</exception>
    public void Write(long step, IEnumerable<KeyValuePair<string, double>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var globalStep = Step(step);
        _writer ??= tensorboard.SummaryWriter(Folder);
        foreach (var (tag, value) in values) _writer.add_scalar(tag, (float)value, globalStep);
    }

    /// <summary>
    /// Replaces every event file of the folder by one holding <paramref name="records"/> in order (none: the folder is
    /// removed). Written beside the folder, then swapped in, so a crash leaves either the old or the new files.
    /// Later <see cref="Write"/>s go to a new file after them.
    /// </summary>
    public void Rewrite(IEnumerable<(long Step, IReadOnlyDictionary<string, double> Values)> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        _writer = null;
        var parent = Path.GetDirectoryName(Folder)!;
        var name = Path.GetFileName(Folder);
        var fresh = Path.Combine(parent, $".{name}.{Guid.NewGuid():N}.tmp");
        var old = Path.Combine(parent, $".{name}.{Guid.NewGuid():N}.old");
        SummaryWriter? writer = null;
        try
        {
            foreach (var (step, values) in records)
            {
                var globalStep = Step(step);
                writer ??= tensorboard.SummaryWriter(fresh);
                foreach (var (tag, value) in values) writer.add_scalar(tag, (float)value, globalStep);
            }
            if (Directory.Exists(Folder)) Directory.Move(Folder, old);
            if (writer is not null) Directory.Move(fresh, Folder);
            if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        }
        finally
        {
            if (Directory.Exists(fresh)) Directory.Delete(fresh, recursive: true);
        }
    }

    private static int Step(long step) =>
        step is >= int.MinValue and <= int.MaxValue
            ? (int)step
            : throw new ArgumentOutOfRangeException(nameof(step), step, $"step {step} does not fit a TensorBoard event's int32 step (TorchSharp's SummaryWriter).");
}
