using System.CommandLine;

namespace AlignLab.Cli.Commands;

/// <summary>How commands report user mistakes: one line on stderr naming the problem, exit code <see cref="ExitCodes.InvalidInput"/>, no stack trace.</summary>
internal static class UserErrors
{
    /// <summary>
    /// Runs <paramref name="body"/> with the command's output writer; a missing file or folder, invalid data or an
    /// invalid argument becomes "<paramref name="command"/>: message" on stderr and exit code 2.
    /// </summary>
    public static int Run(ParseResult parseResult, string command, Action<TextWriter> body)
    {
        var configuration = parseResult.InvocationConfiguration;
        try
        {
            body(configuration.Output);
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException or InvalidDataException or ArgumentException)
        {
            configuration.Error.WriteLine($"{command}: {FirstLine(UserMessages.Of(e))}");
            return ExitCodes.InvalidInput;
        }
    }

    // One line names the problem; a message with more lines (an inner exception's) keeps the first.
    private static string FirstLine(string message) => message.Split('\n')[0].TrimEnd('\r');
}
