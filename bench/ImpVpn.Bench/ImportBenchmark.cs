using System.Diagnostics;
using System.Globalization;

namespace ImpVpn.Bench;

/// <summary>
/// What loading ImpVpn costs a user: a fresh pwsh that imports the staged module against a bare one, and the
/// import alone as Measure-Command sees it inside pwsh. Both processes start the same way (the repository's
/// local pwsh tool), so the difference is ImpVpn's.
/// </summary>
internal sealed class ImportBenchmark : IBenchmark
{
    private const int Samples = 10;

    public string Name => "import";

    public string Description =>
        $"{Samples} fresh `pwsh -NoProfile` processes each: bare, and importing the staged module (out/module/ImpVpn); plus Import-Module alone timed inside pwsh.";

    private static string Root => RepositoryPaths.Root();

    private static string Module => Path.Combine(Root, "out", "module", "ImpVpn");

    public string? CannotRunBecause() =>
        File.Exists(Path.Combine(Module, "ImpVpn.psd1")) ? null : $"the staged module is missing at {Module} (run: dotnet pwsh ./build.ps1 build)";

    public Task RunAsync(BenchReport report)
    {
        var bare = "exit";
        var import = $"Import-Module '{Module}'; exit";
        var firstCall = $"Import-Module '{Module}'; $env:IMPVPN_HOME = Join-Path ([IO.Path]::GetTempPath()) ('impvpn-bench-' + $PID); Get-VpnTunnel | Out-Null; Remove-Item -Recurse -Force $env:IMPVPN_HOME; exit";
        Time(bare);
        Time(import); // warm-up: disk cache and the tool's first resolution

        var bareTimes = new List<TimeSpan>();
        var importTimes = new List<TimeSpan>();
        var firstCallTimes = new List<TimeSpan>();
        var inside = new List<TimeSpan>();
        for (var i = 0; i < Samples; i++)
        {
            // Interleaved, so drift on the machine touches both alike.
            bareTimes.Add(Time(bare));
            importTimes.Add(Time(import));
            firstCallTimes.Add(Time(firstCall));
            var output = Run($"(Measure-Command {{ Import-Module '{Module}' }}).TotalMilliseconds");
            inside.Add(TimeSpan.FromMilliseconds(double.Parse(output.Trim(), CultureInfo.InvariantCulture)));
        }

        report.Add("`pwsh -NoProfile -Command exit` (bare)", bareTimes);
        report.Add("`pwsh -NoProfile -Command \"Import-Module ImpVpn; exit\"`", importTimes);
        report.Add("the same, then `Get-VpnTunnel` on an empty store", firstCallTimes);
        report.Add("`Import-Module ImpVpn` alone, by Measure-Command inside pwsh", inside);
        var median = (List<TimeSpan> s) => s.Order().ElementAt(s.Count / 2).TotalMilliseconds;
        report.Note($"Import adds {median(importTimes) - median(bareTimes):0} ms to a bare pwsh start at the median " +
            $"({median(importTimes):0} ms against {median(bareTimes):0} ms). pwsh is started as `dotnet pwsh` (the repository's local tool).");
        return Task.CompletedTask;
    }

    private static TimeSpan Time(string command)
    {
        var watch = Stopwatch.StartNew();
        Run(command);
        return watch.Elapsed;
    }

    private static string Run(string command)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-Command", command })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet pwsh.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pwsh failed ({process.ExitCode}): {errors.Result}");
        }

        return output.Result;
    }
}
