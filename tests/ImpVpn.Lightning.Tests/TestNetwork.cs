using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.LndSim.Hosting;

namespace ImpVpn.Lightning.Tests;

/// <summary>A fresh simulated network in a temporary folder, and LND clients for its nodes over real gRPC and TLS.</summary>
internal sealed class TestNetwork : IAsyncDisposable
{
    private readonly List<LndNode> _clients = [];

    private TestNetwork(Simulation simulation, string folder)
    {
        Simulation = simulation;
        Folder = folder;
    }

    public Simulation Simulation { get; }

    public string Folder { get; }

    public static async Task<TestNetwork> StartAsync(params string[] names)
    {
        var folder = Directory.CreateTempSubdirectory("impvpn-lnd-").FullName;
        var simulation = await Simulation.StartAsync(new SimulationOptions
        {
            BaseDirectory = folder,
            Nodes = names.Select(n => new SimNodeSpec(n)).ToList(),
        }, CancellationToken.None);
        return new TestNetwork(simulation, folder);
    }

    public SimNode this[string name] => Simulation[name];

    public static LndConnectionOptions OptionsFor(SimNode node, string? network = "regtest") =>
        LndConnectionOptions.FromFiles(node.RpcAddress, node.TlsCertPath, node.MacaroonPath, network);

    public async Task<LndNode> ClientAsync(string name)
    {
        var client = await LndNode.ConnectAsync(OptionsFor(this[name]), requireSynced: true, CancellationToken.None);
        _clients.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        await Simulation.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
