using ImpVpn.Bench;

// Usage: ImpVpn.Bench [benchmark ...]   (no names: all of them)
var all = new IBenchmark[] { new AddPeerBenchmark(), new HandshakeBenchmark(), new PurchaseBenchmark() };
var chosen = args.Length == 0 ? all : all.Where(b => args.Contains(b.Name)).ToArray();
if (chosen.Length == 0)
{
    Console.Error.WriteLine($"Unknown benchmark. Known: {string.Join(", ", all.Select(b => b.Name))}");
    return 2;
}

var machine = MachineDescription.Read();
var exitCode = 0;
foreach (var benchmark in chosen)
{
    var report = new BenchReport(benchmark.Name, benchmark.Description, machine, "dotnet pwsh ./build.ps1 bench " + benchmark.Name);
    if (benchmark.CannotRunBecause() is { } reason)
    {
        report.Note($"Not run: {reason}.");
        exitCode = 1;
    }
    else
    {
        await benchmark.RunAsync(report);
    }

    var path = report.Save(Path.Combine(RepositoryRoot(), "out", "bench"));
    Console.WriteLine(report.Render());
    Console.WriteLine($"(written to {Path.GetFullPath(path)})");
}

return exitCode;

// The repository root is the folder holding ImpVpn.psd1, wherever the build put this program.
static string RepositoryRoot()
{
    for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
    {
        if (File.Exists(Path.Combine(folder.FullName, "ImpVpn.psd1")))
        {
            return folder.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}
