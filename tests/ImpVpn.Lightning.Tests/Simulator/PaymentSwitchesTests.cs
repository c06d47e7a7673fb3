using System.Net.Http.Json;
using System.Text.Json;
using ImpVpn.LndSim.Control;
using ImpVpn.LndSim.Hosting;
using ImpVpn.LndSim.Network;

namespace ImpVpn.Lightning.Tests.Simulator;

/// <summary>The profile and payment switches as scripts reach them: flags, config JSON and the control endpoint.</summary>
public sealed class PaymentSwitchesTests
{
    [Fact]
    public void Flags_and_config_choose_the_profile_and_private_channels()
    {
        var flags = SimulatorConfig.Parse(["--node", "alice", "--profile", "Realistic", "--seed", "7", "--channel", "alice:bob:100000:0:private"]);
        var file = Path.GetTempFileName();
        File.WriteAllText(file, """{"nodes":[{"name":"alice"}],"profile":"realistic","channels":[{"from":"alice","to":"bob","capacitySat":5,"private":true}]}""");
        var config = SimulatorConfig.Parse(["--config", file]);
        File.Delete(file);

        Assert.Equal((SimProfile.Realistic, 7), (flags.ParsedProfile, flags.Seed));
        Assert.True(Assert.Single(flags.Channels).Private);
        Assert.Equal(SimProfile.Realistic, config.ParsedProfile);
        Assert.True(Assert.Single(config.Channels).Private);
        Assert.Equal(SimProfile.Ideal, SimulatorConfig.Parse(["--node", "alice"]).ParsedProfile);
        Assert.Throws<ArgumentException>(() => SimulatorConfig.Parse(["--node", "alice", "--profile", "fast"]));
    }

    [Fact]
    public async Task The_control_endpoint_switches_the_profile_and_sets_payment_faults()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        var (app, address) = await ControlEndpoint.StartAsync(net.Simulation, "127.0.0.1:0", CancellationToken.None);
        await using var _ = app;
        using var http = new HttpClient { BaseAddress = address };

        var profile = await (await http.PostAsJsonAsync("/profile", new { profile = "realistic" })).Content.ReadFromJsonAsync<JsonElement>();
        var refused = await http.PostAsJsonAsync("/profile", new { profile = "fast" });
        (await http.PostAsJsonAsync("/nodes/alice/payment-faults", new { failNextParts = 2, splitNextPayment = 3, extraHopLatencyMs = 5, acceptDelayMs = 7 })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/channels", new { from = "alice", to = "bob", capacitySat = 100_000, @private = true })).EnsureSuccessStatusCode();

        Assert.Equal("realistic", profile.GetProperty("profile").GetString());
        Assert.Equal(SimProfile.Realistic, net.Simulation.Profile);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        var alice = net.Simulation.Network.Node("alice");
        Assert.Equal((2, 3), (alice.FailNextParts, alice.SplitNextPayment));
        Assert.Equal((TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(7)), (net["alice"].ExtraHopLatency, net["alice"].AcceptDelay));
        Assert.True(Assert.Single(net.Simulation.Network.ChannelsOf("alice")).IsPrivate);
    }
}
