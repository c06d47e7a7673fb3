using System.Diagnostics;
using ImpVpn.Core.Daemon;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.LndSim.Hosting;
using ImpVpn.TestSupport;

namespace ImpVpn.Bench;

/// <summary>
/// How long impvpnd takes from its process start to telling the service manager it is ready (READY=1 on
/// NOTIFY_SOCKET, which it sends only once its seller has started: store read, interface and peers, answering), as a
/// seller over a store of 0 and of 10,000 active contracts. The seller is config-only, so the figure is the daemon's
/// and the core's own work (runtime start, configuration, node connection, loading the contracts) and not
/// WireGuard's; its node is a simulated LND in this process.
/// </summary>
internal sealed class DaemonStartBenchmark : IBenchmark
{
    private const int Samples = 5;
    private static readonly int[] Sizes = [0, 10_000];
    private static readonly IpPrefix Subnet = IpPrefix.Parse("10.78.0.0/16");

    public string Name => "daemon-start";

    public string Description =>
        $"impvpnd (`dotnet impvpnd.dll --config …`, a config-only seller) from process start to READY=1 on NOTIFY_SOCKET, over a store of " +
        $"{string.Join(" and ", Sizes.Select(s => s.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))} active contracts of real size; " +
        $"{Samples} samples each, a fresh copy of the store each time, stopped with SIGTERM after each; the node is the LND simulator.";

    public string? CannotRunBecause() =>
        OperatingSystem.IsWindows() ? "NOTIFY_SOCKET (systemd readiness) is a Linux mechanism" : null;

    public async Task RunAsync(BenchReport report)
    {
        var folder = Directory.CreateTempSubdirectory("impvpn-bench-daemon-").FullName;
        try
        {
            await using var simulation = await Simulation.StartAsync(new SimulationOptions
            {
                BaseDirectory = Path.Combine(folder, "lnd"),
                Nodes = [new SimNodeSpec("bob")],
            }, CancellationToken.None).ConfigureAwait(false);
            var template = Path.Combine(folder, "template");
            ActiveSoldStore.Write(template, Sizes.Max(), Subnet, firstHost: 2, DateTimeOffset.UtcNow);

            // Once untimed: the first start also pays for the disk cache and the runtime's first JIT of these files.
            await StartToReadyAsync(folder, template, simulation["bob"], 0, "warm-up").ConfigureAwait(false);
            var medians = new Dictionary<int, double>();
            foreach (var size in Sizes)
            {
                var samples = new List<TimeSpan>();
                for (var i = 0; i < Samples; i++)
                {
                    samples.Add(await StartToReadyAsync(folder, template, simulation["bob"], size, $"{size}-{i}").ConfigureAwait(false));
                }

                report.Add($"process start → READY=1, {size:N0} active contracts", samples);
                medians[size] = samples.Order().ElementAt(samples.Count / 2).TotalMilliseconds;
            }

            report.Note($"Ratio of medians, 10,000 contracts to none: {medians[10_000] / medians[0]:0.00}; " +
                $"what the 10,000 add: {(medians[10_000] - medians[0]) / 10_000 * 1000:0.0} µs per contract.");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<TimeSpan> StartToReadyAsync(string folder, string template, SimNode node, int contracts, string tag)
    {
        var store = Path.Combine(folder, "store-" + tag);
        ActiveSoldStore.Copy(template, store, contracts);
        var configuration = new DaemonConfigurationFile
        {
            StorePath = store,
            Node = new DaemonConfigurationFile.NodeSection
            {
                RpcAddress = node.RpcAddress,
                TlsCertPath = node.TlsCertPath,
                MacaroonPath = node.MacaroonPath,
                Network = "regtest",
            },
            Seller = new DaemonConfigurationFile.SellerSection
            {
                Enabled = true,
                Endpoint = "192.0.2.1:51820",
                InterfaceName = "bncD0",
                Subnet = Subnet.ToString(),
                ConfigOnly = true,
                MaxActiveContracts = 1_000_000,
            },
        };
        var configPath = Path.Combine(folder, $"impvpnd-{tag}.json");
        await File.WriteAllTextAsync(configPath, configuration.ToJson()).ConfigureAwait(false);

        // sun_path holds 108 bytes: the socket goes to a short path of its own.
        using var notify = new NotifySocket(Path.Combine(Path.GetTempPath(), "bnc-" + Guid.NewGuid().ToString("N")[..12] + ".sock"));
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "impvpnd.dll"));
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(configPath);
        start.Environment["NOTIFY_SOCKET"] = notify.Path;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("impvpnd did not start.");
        // Drained so a chatty daemon never blocks on a full pipe.
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            while (true)
            {
                var message = await notify.ReceiveAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"impvpnd sent no READY=1 within 120 s.");
                if (message.Split('\n').Contains("READY=1"))
                {
                    return clock.Elapsed;
                }
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
                await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token).ConfigureAwait(false);
            }

            await Task.WhenAll(output, errors).ConfigureAwait(false);
        }
    }
}
