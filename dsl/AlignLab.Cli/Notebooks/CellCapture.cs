using System.Text;

namespace AlignLab.Cli.Notebooks;

/// <summary>
/// What one cell writes to one console stream: kept for the notebook's output and echoed to the terminal as it comes,
/// so a long cell shows its progress. Thread-safe: a cell may write from parallel loops.
/// </summary>
internal sealed class CellCapture(TextWriter echo) : TextWriter
{
    private readonly StringBuilder text = new();
    private readonly Lock gate = new();

    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>Everything written so far.</summary>
    public string Text
    {
        get { lock (gate) return text.ToString(); }
    }

    public override void Write(char value)
    {
        lock (gate)
        {
            text.Append(value);
            echo.Write(value);
        }
    }

    public override void Write(string? value)
    {
        lock (gate)
        {
            text.Append(value);
            echo.Write(value);
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Flush()
    {
        lock (gate) echo.Flush();
    }
}
