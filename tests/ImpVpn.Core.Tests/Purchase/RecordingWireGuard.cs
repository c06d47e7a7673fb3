using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>A WireGuard host (devices and links) that keeps devices in memory and can be told to fail adding peers
/// (the seller's provisioning failure), or to run a test's hook when a peer is added (to cut the seller off at
/// that exact point, with no race against the clock). Its tunnels "work" (a handshake on every peer, echoes
/// answered) unless <see cref="TunnelsWork"/> is cleared: then no handshake ever happens. It is the seller's
/// firewall too, recording the rules applied (or failing when told to).</summary>
internal sealed class RecordingWireGuard : IWireGuardDevices, IWireGuardLinks, ISellerFirewall
{
    private readonly Dictionary<string, List<PeerConfig>> _devices = [];
    private readonly Dictionary<string, List<IpPrefix>> _routes = [];

    /// <summary>The routes added through each interface and not gone with it.</summary>
    public IReadOnlyList<IpPrefix> Routes => _routes.Values.SelectMany(r => r).ToList();

    public bool FailPeerChanges { get; set; }

    /// <summary>Creating an interface fails (the buyer's machine cannot set its tunnel up).</summary>
    public bool FailInterfaceCreation { get; set; }

    /// <summary>Peers show a handshake and echoes through the tunnel are answered (the buyer's proof before it claims).</summary>
    public bool TunnelsWork { get; set; } = true;

    /// <summary>A handshake happens, but no echo is answered (a seller that drops the buyer's packets).</summary>
    public bool EchoesAnswered { get; set; } = true;

    /// <summary>Echo requests sent, by interface.</summary>
    public List<string> Echoes { get; } = [];

    /// <summary>Every device change, in order.</summary>
    public List<(string Name, DeviceConfig Config)> Configs { get; } = [];

    public Action? OnPeerAdded { get; set; }

    public Action? OnPeerRemoved { get; set; }

    /// <summary>Applying the firewall fails (nft refusing the rules).</summary>
    public bool FailFirewall { get; set; }

    /// <summary>The firewall rules applied, in order, and each time whether the interface existed already.</summary>
    public List<(SellerFirewallRules Rules, bool InterfaceExisted)> FirewallApplied { get; } = [];

    public WireGuardHost Host => new(this, this) { Firewall = this };

    // Buyer and seller take a WireGuardHost; converting lets tests hand this fake over as they always have.
    public static implicit operator WireGuardHost(RecordingWireGuard wireGuard) => wireGuard.Host;

    public IReadOnlyList<PeerConfig> PeersOf(string name) => _devices.TryGetValue(name, out var peers) ? peers : [];

    public Task<IReadOnlyList<string>> ListDevicesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>(_devices.Keys.ToList());

    public Task<WireGuardDevice?> GetDeviceAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(_devices.TryGetValue(name, out var peers)
            ? new WireGuardDevice(name, WireGuardBackendKind.Userspace, null, 0, 0, peers.Select(p =>
                new WireGuardPeer(p.PublicKey, p.Endpoint, p.AllowedIps, TunnelsWork ? DateTimeOffset.UtcNow : null, 0, 0, TimeSpan.Zero, false)).ToList())
            : null);

    public Task<bool> EchoAsync(string name, System.Net.IPAddress address, CancellationToken cancellationToken)
    {
        Echoes.Add(name);
        return Task.FromResult(TunnelsWork && EchoesAnswered && _devices.ContainsKey(name));
    }

    public Task ConfigureDeviceAsync(string name, DeviceConfig config, CancellationToken cancellationToken)
    {
        if (FailPeerChanges && config.Peers.Count > 0)
        {
            throw new WireGuardException("simulated provisioning failure");
        }

        Configs.Add((name, config));
        var peers = _devices[name];
        foreach (var peer in config.Peers)
        {
            peers.RemoveAll(p => p.PublicKey.Equals(peer.PublicKey));
            if (!peer.Remove)
            {
                peers.Add(peer);
                OnPeerAdded?.Invoke();
            }
            else
            {
                OnPeerRemoved?.Invoke();
            }
        }

        return Task.CompletedTask;
    }

    public Task CreateInterfaceAsync(string name, InterfaceOptions options, CancellationToken cancellationToken)
    {
        if (FailInterfaceCreation)
        {
            throw new WireGuardException("simulated interface failure");
        }

        _devices[name] = [];
        return Task.CompletedTask;
    }

    public Task DeleteInterfaceAsync(string name, CancellationToken cancellationToken)
    {
        _devices.Remove(name);
        _routes.Remove(name);
        return Task.CompletedTask;
    }

    public Task AddAddressAsync(string name, IpPrefix address, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task SetMtuAsync(string name, int mtu, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task AddRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken)
    {
        (_routes.TryGetValue(name, out var routes) ? routes : _routes[name] = []).Add(destination);
        return Task.CompletedTask;
    }

    public Task RemoveRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<string>> ApplyAsync(SellerFirewallRules rules, IReadOnlyCollection<BuyerAdmission> admitted, CancellationToken cancellationToken)
    {
        if (FailFirewall)
        {
            throw new SellerFirewallException(rules.InterfaceName, "simulated nft failure");
        }

        if (rules.Exit is { } exit && !EgressInterfaces.Contains(exit.EgressInterfaceName))
        {
            throw new SellerFirewallException(rules.InterfaceName, $"the exit's egress interface '{exit.EgressInterfaceName}' does not exist here.") { MissingEgressInterface = exit.EgressInterfaceName };
        }

        FirewallApplied.Add((rules, _devices.ContainsKey(rules.InterfaceName)));
        // As nft does it: the set is made anew with exactly these.
        Admitted.Clear();
        foreach (var admission in admitted)
        {
            Admitted[admission.BuyerTunnelAddress] = admission.PaidFor;
        }

        AdmittedWhenApplied = [.. admitted];
        return Task.FromResult<IReadOnlyList<string>>(HostChangesSaid);
    }

    /// <summary>What ApplyAsync says it changed on the host (an exit's forwarding), for the seller's log.</summary>
    public IReadOnlyList<string> HostChangesSaid { get; set; } = [];

    /// <summary>Exit egress interfaces that exist on this fake host; applying an exit out of another one fails as
    /// nftables' firewall does.</summary>
    public HashSet<string> EgressInterfaces { get; } = ["eth0"];

    /// <summary>The admissions the firewall was last applied with.</summary>
    public IReadOnlyList<BuyerAdmission> AdmittedWhenApplied { get; private set; } = [];

    /// <summary>Admitting or revoking fails (nft refusing the element).</summary>
    public bool FailAdmissions { get; set; }

    public Task RemoveAsync(string interfaceName, CancellationToken cancellationToken)
    {
        FirewallRemoved.Add(interfaceName);
        Admitted.Clear();
        return Task.CompletedTask;
    }

    /// <summary>Buyer addresses the filter admits, with when each admission ends (by the seller's clock at the time).</summary>
    public Dictionary<System.Net.IPAddress, TimeSpan> Admitted { get; } = [];

    public List<string> FirewallRemoved { get; } = [];

    public Task AdmitAsync(string interfaceName, IReadOnlyCollection<BuyerAdmission> admissions, CancellationToken cancellationToken)
    {
        if (FailAdmissions)
        {
            throw new SellerFirewallException(interfaceName, "simulated nft failure");
        }

        foreach (var admission in admissions)
        {
            Admitted[admission.BuyerTunnelAddress] = admission.PaidFor;
        }

        return Task.CompletedTask;
    }

    /// <summary>The forwarded port each revocation carried, by buyer address (null: none).</summary>
    public Dictionary<System.Net.IPAddress, int?> RevokedPorts { get; } = [];

    public Task RevokeAsync(string interfaceName, System.Net.IPAddress buyerTunnelAddress, int? forwardedPort, CancellationToken cancellationToken)
    {
        Admitted.Remove(buyerTunnelAddress);
        RevokedPorts[buyerTunnelAddress] = forwardedPort;
        return Task.CompletedTask;
    }
}
