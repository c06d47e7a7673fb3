using System.Security.Cryptography.X509Certificates;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.LndSim.Crypto;
using ImpVpn.LndSim.Network;
using ImpVpn.LndSim.Services;

namespace ImpVpn.LndSim.Hosting;

/// <summary>What to simulate: where node directories go, which nodes, on which network.</summary>
public sealed class SimulationOptions
{
    public required string BaseDirectory { get; init; }

    public IList<SimNodeSpec> Nodes { get; init; } = [];

    public string Network { get; init; } = "regtest";

    /// <summary>How long an ACCEPTED hold invoice is kept before it is cancelled back to the payer.</summary>
    public TimeSpan HeldHtlcTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How payments travel: Ideal (instant, one part) or Realistic (latency, parts, retries). See docs/simulator.md.</summary>
    public SimProfile Profile { get; init; } = SimProfile.Ideal;

    /// <summary>Seed of the pseudo-random choices (whether and how a Realistic payment splits), so runs repeat.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>How long a node's new announcement takes to reach the others' graphs (LND's trickledelay, 90 s, by
    /// default: gossip is never instant).</summary>
    public TimeSpan GossipDelay { get; init; } = SimNetwork.DefaultGossipDelay;
}

/// <summary>One node to simulate. Port 0 picks a free port.</summary>
public sealed record SimNodeSpec(string Name, string BindAddress = "127.0.0.1", int Port = 0);

/// <summary>
/// N simulated LND nodes in one process, each serving LND's gRPC API on its own address with its own
/// identity, TLS certificate and macaroon, in a directory laid out like LND's.
/// </summary>
public sealed class Simulation : IAsyncDisposable
{
    private readonly List<SimNode> _nodes = [];

    private Simulation(SimNetwork network) => Network = network;

    public SimNetwork Network { get; }

    public IReadOnlyList<SimNode> Nodes => _nodes;

    public SimNode this[string name] => _nodes.FirstOrDefault(n => n.Name == name) ?? throw new KeyNotFoundException($"No simulated node '{name}'.");

    public static async Task<Simulation> StartAsync(SimulationOptions options, CancellationToken cancellationToken)
    {
        var simulation = new Simulation(new SimNetwork(options.Network, options.Seed) { HeldHtlcTimeout = options.HeldHtlcTimeout, Profile = options.Profile, GossipDelay = options.GossipDelay });
        try
        {
            var p2pPort = 9735;
            foreach (var spec in options.Nodes)
            {
                var directory = Path.Combine(options.BaseDirectory, spec.Name);
                var macaroonPath = Path.Combine(directory, "data", "chain", "bitcoin", options.Network, "admin.macaroon");
                var certificate = TlsMaterial.Create(directory, [spec.BindAddress]);
                var macaroon = MacaroonMaterial.Create(macaroonPath);
                var state = simulation.Network.AddNode(spec.Name, $"{spec.BindAddress}:{p2pPort++}", macaroon);
                var host = new SimNodeHost(new NodeContext(simulation.Network, state), certificate, spec.BindAddress, spec.Port);
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
                simulation._nodes.Add(new SimNode(simulation.Network, state, host, spec.BindAddress, directory, macaroonPath, certificate));
            }
        }
        catch
        {
            await simulation.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return simulation;
    }

    /// <summary>Links two nodes as peers, both ways (what ConnectPeer does).</summary>
    public void Connect(string a, string b) => Network.Connect(a, b);

    /// <summary>Opens a channel at once (no chain here), connecting the nodes first. A private channel is left out
    /// of the graph: payers reach its far end over it only with a route hint.</summary>
    public Task OpenChannelAsync(string from, string to, long capacitySat, long pushSat = 0, FeePolicy? policy = null, bool isPrivate = false)
    {
        Network.OpenChannel(from, to, capacitySat, pushSat, policy, isPrivate);
        return Task.CompletedTask;
    }

    /// <summary>The payment profile, switchable while running (payments already under way keep their course).</summary>
    public SimProfile Profile
    {
        get => Network.Profile;
        set => Network.Profile = value;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>A handle on one simulated node: where to reach it, and its fault switches.</summary>
public sealed partial class SimNode : IAsyncDisposable
{
    private readonly SimNetwork _network;
    private readonly SimNodeState _state;
    private readonly SimNodeHost _host;
    private X509Certificate2 _certificate;

    internal SimNode(SimNetwork network, SimNodeState state, SimNodeHost host, string bindAddress, string directory, string macaroonPath, X509Certificate2 certificate)
    {
        _network = network;
        _state = state;
        _host = host;
        Host = bindAddress;
        NodeDirectory = directory;
        MacaroonPath = macaroonPath;
        _certificate = certificate;
    }

    public string Name => _state.Name;

    public string PubKey => _state.PubKey;

    public string Host { get; }

    public int Port => _host.Port;

    public string RpcAddress => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>The simulated peer-to-peer address, for ConnectPeer.</summary>
    public string P2pAddress => _state.P2pAddress;

    public string NodeDirectory { get; }

    public string TlsCertPath => Path.Combine(NodeDirectory, "tls.cert");

    public string MacaroonPath { get; }

    public string Network => _network.Network;

    public bool IsDown => _state.IsDown;

    /// <summary>Takes the node off the network (its gRPC port closes, its peers lose it) or brings it back.</summary>
    public async Task SetDownAsync(bool down)
    {
        _network.SetDown(Name, down);
        if (down)
        {
            await _host.StopAsync().ConfigureAwait(false);
        }
        else
        {
            await _host.StartAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    public bool SyncedToChain
    {
        get => _state.SyncedToChain;
        set => _state.SyncedToChain = value;
    }

    /// <summary>The network GetInfo reports; null reports the simulation's own.</summary>
    public string? ReportedNetwork
    {
        get => _state.ReportedNetwork;
        set => _state.ReportedNetwork = value;
    }

    public bool DropCustomMessages
    {
        get => _state.DropCustomMessages;
        set => _state.DropCustomMessages = value;
    }

    public TimeSpan CustomMessageDelay
    {
        get => _state.CustomMessageDelay;
        set => _state.CustomMessageDelay = value;
    }

    /// <summary>Router.EstimateRouteFee answers Unimplemented (an LND that cannot probe).</summary>
    public bool RouteFeeEstimationUnavailable
    {
        get => _state.RouteFeeEstimationUnavailable;
        set => _state.RouteFeeEstimationUnavailable = value;
    }

    /// <summary>The next payment this node makes fails with this reason.</summary>
    public void FailNextPayment(PaymentFailureReason reason) => _state.FailNextPayment = reason;

    /// <summary>This many of the node's next payment parts fail on the way (TEMPORARY_CHANNEL_FAILURE at the last
    /// forwarding hop) and are retried after a pause; the payment stays IN_FLIGHT meanwhile.</summary>
    public void FailNextParts(int count) => _network.Read(() => _state.FailNextParts = count);

    /// <summary>The node's next payment is split into this many parts (capped by its max_parts).</summary>
    public void SplitNextPayment(int parts) => _network.Read(() => _state.SplitNextPayment = parts);

    /// <summary>Latency added to every hop this node sends or receives, both ways.</summary>
    public TimeSpan ExtraHopLatency
    {
        get => _state.ExtraHopLatency;
        set => _network.Read(() => _state.ExtraHopLatency = value);
    }

    /// <summary>As payee: a hold invoice turns ACCEPTED only this long after its last part arrived.</summary>
    public TimeSpan AcceptDelay
    {
        get => _state.AcceptDelay;
        set => _network.Read(() => _state.AcceptDelay = value);
    }

    /// <summary>The next invoice this node creates is handed out altered (it plays a dishonest payee).</summary>
    public void TamperNextInvoice(Network.InvoiceTampering tampering) => _state.TamperNextInvoice = tampering;

    public long LocalBalanceSat => _network.ChannelBalance(Name).LocalMsat / 1000;

    public long LocalBalanceMsat => _network.ChannelBalance(Name).LocalMsat;

    public override string ToString() => $"{Name} {PubKey} at {RpcAddress}";

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync().ConfigureAwait(false);
        _certificate.Dispose();
    }
}
