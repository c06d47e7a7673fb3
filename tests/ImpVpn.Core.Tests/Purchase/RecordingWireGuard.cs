using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>A WireGuard host (devices and links) that keeps devices in memory and can be told to fail adding peers
/// (the seller's provisioning failure), or to run a test's hook when a peer is added (to cut the seller off at
/// that exact point, with no race against the clock). It is the seller's firewall too, recording the rules applied
/// (or failing when told to).</summary>
internal sealed class RecordingWireGuard : IWireGuardDevices, IWireGuardLinks, ISellerFirewall
{
    private readonly Dictionary<string, List<PeerConfig>> _devices = [];

    public bool FailPeerChanges { get; set; }

    /// <summary>Creating an interface fails (the buyer's machine cannot set its tunnel up).</summary>
    public bool FailInterfaceCreation { get; set; }

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
        Task.FromResult(_devices.ContainsKey(name) ? new WireGuardDevice(name, WireGuardBackendKind.Userspace, null, 0, 0, []) : null);

    public Task ConfigureDeviceAsync(string name, DeviceConfig config, CancellationToken cancellationToken)
    {
        if (FailPeerChanges && config.Peers.Count > 0)
        {
            throw new WireGuardException("simulated provisioning failure");
        }

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
        return Task.CompletedTask;
    }

    public Task AddAddressAsync(string name, IpPrefix address, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task SetMtuAsync(string name, int mtu, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task AddRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RemoveRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ApplyAsync(SellerFirewallRules rules, CancellationToken cancellationToken)
    {
        if (FailFirewall)
        {
            throw new SellerFirewallException(rules.InterfaceName, "simulated nft failure");
        }

        FirewallApplied.Add((rules, _devices.ContainsKey(rules.InterfaceName)));
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string interfaceName, CancellationToken cancellationToken) => Task.CompletedTask;
}
