using System.Net;
using System.Net.Http.Json;
using ImpVpn.LndSim.Control;

namespace ImpVpn.Lightning.Tests.Simulator;

/// <summary>The peer-link and credential switches answer on the control endpoint, as docs/simulator.md lists them.</summary>
public sealed class ControlRouteTests
{
    [Fact]
    public async Task Each_fault_switch_has_its_control_route()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        net.Simulation.Connect("alice", "bob");
        var (control, address) = await ControlEndpoint.StartAsync(net.Simulation, "127.0.0.1:0", CancellationToken.None);
        await using var _ = control;
        using var http = new HttpClient { BaseAddress = address };
        var oldMacaroon = await File.ReadAllBytesAsync(net["alice"].MacaroonPath);
        var oldCertificate = await File.ReadAllTextAsync(net["alice"].TlsCertPath);

        var slots = await http.PostAsJsonAsync("nodes/alice/faults/restricted-peer-slots", new { slots = 7 });
        var onMessages = await http.PostAsJsonAsync("nodes/alice/faults/drop-link-on-messages", new { count = 0 });
        var drop = await http.PostAsJsonAsync("nodes/alice/faults/drop-peer", new { peer = "bob", reconnect = false });
        var flap = await http.PostAsJsonAsync("nodes/alice/faults/flap-peer", new { peer = "bob", intervalMs = 0, times = 1 });
        var tls = await http.PostAsync("nodes/alice/faults/regenerate-tls", null);
        var macaroon = await http.PostAsync("nodes/alice/faults/rotate-macaroon", null);

        Assert.Equal(HttpStatusCode.OK, slots.StatusCode);
        Assert.Equal(7, net["alice"].RestrictedPeerSlots);
        Assert.Equal(HttpStatusCode.OK, onMessages.StatusCode);
        Assert.Equal(HttpStatusCode.OK, drop.StatusCode);
        Assert.Contains("\"dropped\":true", await drop.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, flap.StatusCode);
        Assert.Equal(HttpStatusCode.OK, tls.StatusCode);
        Assert.NotEqual(oldCertificate, await File.ReadAllTextAsync(net["alice"].TlsCertPath));
        Assert.Equal(HttpStatusCode.OK, macaroon.StatusCode);
        var newMacaroon = await File.ReadAllBytesAsync(net["alice"].MacaroonPath);
        Assert.NotEqual(Convert.ToHexString(oldMacaroon), Convert.ToHexString(newMacaroon));
    }
}
