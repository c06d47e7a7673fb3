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
        $"{Samples} fresh `pwsh -NoProfile` processes each: bare, and importing the staged module (out/module/ImpVpn); and, timed inside pwsh by a Stopwatch, the session's first Import-Module of an empty script module (PowerShell's own first-import cost) followed by Import-Module ImpVpn.";

    private static string Root => RepositoryPaths.Root();

    private static string Module => Path.Combine(Root, "out", "module", "ImpVpn");

    public string? CannotRunBecause() =>
        File.Exists(Path.Combine(Module, "ImpVpn.psd1")) ? null : $"the staged module is missing at {Module} (run: dotnet pwsh ./build.ps1 build)";

    public Task RunAsync(BenchReport report)
    {
        var bare = "exit";
        var import = $"Import-Module '{Module}'; exit";
        var firstCall = $"Import-Module '{Module}'; $env:IMPVPN_HOME = Join-Path ([IO.Path]::GetTempPath()) ('impvpn-bench-' + $PID); Get-VpnTunnel | Out-Null; if (Test-Path $env:IMPVPN_HOME) {{ Remove-Item -Recurse -Force $env:IMPVPN_HOME }}; exit";
        Time(bare);
        Time(import); // warm-up: disk cache and the tool's first resolution

        var bareTimes = new List<TimeSpan>();
        var importTimes = new List<TimeSpan>();
        var firstCallTimes = new List<TimeSpan>();
        var firstImport = new List<TimeSpan>();
        var impVpnAfter = new List<TimeSpan>();
        var emptyModule = Path.Combine(Path.GetTempPath(), $"impvpn-bench-empty-{Environment.ProcessId}.psm1");
        File.WriteAllText(emptyModule, "function Get-Nothing { }\n");
        for (var i = 0; i < Samples; i++)
        {
            // Interleaved, so drift on the machine touches both alike.
            bareTimes.Add(Time(bare));
            importTimes.Add(Time(import));
            firstCallTimes.Add(Time(firstCall));
            var output = Run($"$w = [Diagnostics.Stopwatch]::StartNew(); Import-Module '{emptyModule}'; $a = $w.Elapsed.TotalMilliseconds; " +
                $"$w.Restart(); Import-Module '{Module}'; $b = $w.Elapsed.TotalMilliseconds; [string]::Join(' ', $a, $b)");
            var parts = output.Trim().Split(' ').Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            firstImport.Add(TimeSpan.FromMilliseconds(parts[0]));
            impVpnAfter.Add(TimeSpan.FromMilliseconds(parts[1]));
        }

        File.Delete(emptyModule);

        report.Add("`pwsh -NoProfile -Command exit` (bare)", bareTimes);
        report.Add("`pwsh -NoProfile -Command \"Import-Module ImpVpn; exit\"`", importTimes);
        report.Add("the same, then `Get-VpnTunnel` on an empty store", firstCallTimes);
        report.Add("inside pwsh: the session's first Import-Module, of an empty script module", firstImport);
        report.Add("inside pwsh: then Import-Module ImpVpn", impVpnAfter);
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
