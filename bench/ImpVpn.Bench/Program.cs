using ImpVpn.Bench;

// Usage: ImpVpn.Bench [benchmark ...]   (no names: all of them)
var all = new IBenchmark[] { new AddPeerBenchmark(), new HandshakeBenchmark(), new PurchaseBenchmark(), new ImportBenchmark(), new ExpiryRoundBenchmark(), new SellerThroughputBenchmark(), new SellerMemoryBenchmark(), new DaemonStartBenchmark(), new TunnelThroughputBenchmark() };
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

    var path = report.Save(Path.Combine(RepositoryPaths.Root(), "out", "bench"));
    Console.WriteLine(report.Render());
    Console.WriteLine($"(written to {Path.GetFullPath(path)})");
}

return exitCode;
