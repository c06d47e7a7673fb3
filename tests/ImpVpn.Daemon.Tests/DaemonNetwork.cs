using ImpVpn.Core.Buying;
using ImpVpn.Core.Daemon;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.Core.Store;
using ImpVpn.LndSim.Hosting;

namespace ImpVpn.Daemon.Tests;

/// <summary>alice (a buyer) and bob (a seller) on the LND simulator, a channel from alice to bob, a folder for
/// stores and configuration files, and the configuration impvpnd gets for one of them.</summary>
internal sealed class DaemonNetwork : IAsyncDisposable
{
    private DaemonNetwork(string folder, Simulation simulation, LndNode alice)
    {
        Folder = folder;
        Simulation = simulation;
        AliceNode = alice;
    }

    public string Folder { get; }

    public Simulation Simulation { get; }

    public LndNode AliceNode { get; }

    public string BobPubKey => Simulation["bob"].PubKey;

    public long AliceMsat => Simulation["alice"].LocalBalanceMsat;

    public static async Task<DaemonNetwork> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("impvpn-daemon-").FullName;
        var simulation = await Simulation.StartAsync(new SimulationOptions
        {
            BaseDirectory = Path.Combine(folder, "lnd"),
            Nodes = [new SimNodeSpec("alice"), new SimNodeSpec("bob")],
        }, CancellationToken.None);
        await simulation.OpenChannelAsync("alice", "bob", 1_000_000);
        var alice = await LndNode.ConnectAsync(Options(simulation["alice"]), true, CancellationToken.None);
        return new DaemonNetwork(folder, simulation, alice);
    }

    public static LndConnectionOptions Options(SimNode node) =>
        LndConnectionOptions.FromFiles(node.RpcAddress, node.TlsCertPath, node.MacaroonPath, "regtest");

    public string StorePath(string name) => Path.Combine(Folder, "store-" + name);

    public ContractStore Store(string name) => new(StorePath(name));

    public BoughtContracts AliceContracts => new(Store("alice"));

    /// <summary>A configuration for <paramref name="node"/>'s daemon with its store; the caller enables its roles.</summary>
    public DaemonConfigurationFile Configuration(string node)
    {
        var sim = Simulation[node];
        return new DaemonConfigurationFile
        {
            StorePath = StorePath(node),
            Node = new DaemonConfigurationFile.NodeSection
            {
                RpcAddress = sim.RpcAddress,
                TlsCertPath = sim.TlsCertPath,
                MacaroonPath = sim.MacaroonPath,
                Network = "regtest",
            },
        };
    }

    public string Write(DaemonConfigurationFile configuration, string name = "impvpnd.json")
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, configuration.ToJson());
        return path;
    }

    /// <summary>A socket path for NOTIFY_SOCKET, short enough for sun_path (108 bytes).</summary>
    public static string NotifyPath() => Path.Combine(Path.GetTempPath(), "dmn-" + Guid.NewGuid().ToString("N")[..12] + ".sock");

    public async ValueTask DisposeAsync()
    {
        await AliceNode.DisposeAsync();
        await Simulation.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
