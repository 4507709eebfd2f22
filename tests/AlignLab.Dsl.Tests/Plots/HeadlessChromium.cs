using System.Diagnostics;

namespace AlignLab.Dsl.Tests.Plots;

/// <summary>Runs the Debian <c>chromium</c> package headless to load a chart page, for the rendering tests.</summary>
internal static class HeadlessChromium
{
    public const string InstallHint =
        "Headless Chromium is required by the chart rendering tests but was not found. Install it with " +
        "`sudo apt-get update && sudo apt-get install -y chromium` (Debian/Ubuntu), or set ALIGNLAB_CHROMIUM to the path of a " +
        "Chromium or Chrome executable.";

    /// <summary>
    /// The browser executable: ALIGNLAB_CHROMIUM, else chromium / chromium-browser / google-chrome on PATH. If none is
    /// found the test is skipped with <see cref="InstallHint"/> on a developer machine, and fails under CI (CI=true), so a
    /// CI machine without a browser can never pass the rendering tests silently.
    /// </summary>
    public static string Executable()
    {
        var configured = Environment.GetEnvironmentVariable("ALIGNLAB_CHROMIUM");
        if (!string.IsNullOrWhiteSpace(configured))
            return File.Exists(configured) ? configured : throw new Xunit.Sdk.XunitException($"ALIGNLAB_CHROMIUM='{configured}' does not exist. {InstallHint}");
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
            foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate)) return candidate;
            }
        if (IsCi()) throw new Xunit.Sdk.XunitException(InstallHint);
        throw new SkipException(InstallHint);
    }

    private static bool IsCi() =>
        Environment.GetEnvironmentVariable("CI") is { } ci && (ci.Equals("true", StringComparison.OrdinalIgnoreCase) || ci == "1");

    /// <summary>Loads <paramref name="htmlFile"/> offline and returns the DOM after scripts ran (<c>--dump-dom</c>).</summary>
    public static string DumpDom(string htmlFile) => Run(htmlFile, ["--dump-dom"]).StandardOutput;

    /// <summary>Loads <paramref name="htmlFile"/> and writes a PNG screenshot of the given window size.</summary>
    public static void Screenshot(string htmlFile, string pngFile, int width = 1200, int height = 800) =>
        Run(htmlFile, [$"--screenshot={pngFile}", $"--window-size={width},{height}", "--hide-scrollbars"]);

    private static (string StandardOutput, string StandardError) Run(string htmlFile, string[] action)
    {
        var profile = Directory.CreateTempSubdirectory("alignlab-chromium-");
        try
        {
            var start = new ProcessStartInfo(Executable())
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var arg in new[]
                     {
                         "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", $"--user-data-dir={profile.FullName}",
                         // Let plotly.js finish drawing (virtual time runs ahead as soon as the page is idle).
                         "--virtual-time-budget=5000",
                     })
                start.ArgumentList.Add(arg);
            foreach (var arg in action) start.ArgumentList.Add(arg);
            start.ArgumentList.Add(new Uri(Path.GetFullPath(htmlFile)).AbsoluteUri);

            using var process = Process.Start(start) ?? throw new Xunit.Sdk.XunitException($"could not start {start.FileName}");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
            {
                process.Kill(entireProcessTree: true);
                throw new Xunit.Sdk.XunitException($"{start.FileName} did not finish within 90 s loading {htmlFile}.");
            }
            if (process.ExitCode != 0)
                throw new Xunit.Sdk.XunitException($"{start.FileName} exited with {process.ExitCode}: {stderr.Result}");
            return (stdout.Result, stderr.Result);
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
