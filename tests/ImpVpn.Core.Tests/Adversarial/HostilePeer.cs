using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using ImpVpn.Core.Protocol;
using ImpVpn.LndSim.Hosting;
using ImpVpn.LndSim.Network;
using SimMessage = ImpVpn.Lnd.Rpc.Lnrpc.CustomMessage;

namespace ImpVpn.Core.Tests.Adversarial;

/// <summary>
/// A peer of the seller's node on the simulator that writes its own bytes: no ImpVpn code on its side, so it can
/// send what no ImpVpn buyer would. It is a node of the simulated network (connected to the seller, reading the
/// custom messages sent to it), so everything it sends reaches the seller the way LND delivers it.
/// </summary>
internal sealed class HostilePeer
{
    // A bound on waiting for one reply, so a seller that stays silent fails the test instead of hanging it.
    private static readonly TimeSpan ReplyBound = TimeSpan.FromSeconds(30);
    private readonly SimNetwork _network;
    private readonly byte[] _seller;
    private readonly Channel<SimMessage> _inbox;

    private HostilePeer(SimNetwork network, string name, string pubKey, byte[] seller, Channel<SimMessage> inbox)
    {
        _network = network;
        Name = name;
        PubKey = pubKey;
        _seller = seller;
        _inbox = inbox;
    }

    public string Name { get; }

    public string PubKey { get; }

    /// <summary>Adds a node named <paramref name="name"/> to the simulation and connects it to <paramref name="seller"/>.</summary>
    public static HostilePeer Join(Simulation simulation, string name, string seller)
    {
        var network = simulation.Network;
        var state = network.AddNode(name, $"hostile.invalid:{9000 + network.Nodes.Count}", [1]);
        network.Connect(name, seller);
        var inbox = network.Subscribe(state.CustomMessageSubscribers);
        return new HostilePeer(network, name, state.PubKey, Convert.FromHexString(simulation[seller].PubKey), inbox);
    }

    /// <summary>The peer of an existing simulated node (a buyer abusing its own contract).</summary>
    public static HostilePeer Of(Simulation simulation, string name, string seller)
    {
        var state = simulation.Network.Node(name);
        var inbox = simulation.Network.Subscribe(state.CustomMessageSubscribers);
        return new HostilePeer(simulation.Network, name, state.PubKey, Convert.FromHexString(simulation[seller].PubKey), inbox);
    }

    public Task SendAsync(byte[] payload) => _network.SendCustomMessageAsync(Name, _seller, PeerProtocol.MessageType, payload, CancellationToken.None);

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>A request as the peer writes it: any method, any params (already JSON), its own id.</summary>
    public static string Request(string method, string parametersJson, string? id = null) =>
        $"{{\"jsonrpc\":\"2.0\",\"id\":\"{id ?? JsonRpcCodec.NewId()}\",\"method\":{JsonSerializer.Serialize(method)},\"params\":{parametersJson}}}";

    /// <summary>Sends a request and waits for the reply to its id (other messages in between are dropped).</summary>
    public async Task<Reply> CallAsync(string method, string parametersJson, string? id = null)
    {
        id ??= JsonRpcCodec.NewId();
        await SendAsync(Request(method, parametersJson, id));
        while (true)
        {
            var reply = await NextAsync();
            if (reply.Id == id)
            {
                return reply;
            }
        }
    }

    public async Task<Reply> CallAsync(string method, object parameters, string? id = null) =>
        await CallAsync(method, JsonSerializer.Serialize(parameters, JsonRpcCodec.WireOptions), id);

    /// <summary>Asks until the seller answers: its subscription to custom messages opens shortly after it starts,
    /// and a message sent before that is lost (as with LND). Retried as a buyer retries, a bounded number of times.</summary>
    public async Task WaitUntilServedAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            var probe = JsonRpcCodec.NewId();
            await SendAsync(Request(PeerProtocol.Status, "{\"contract_id\":\"0000000000000000\"}", probe));
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                while (Reply.Of((await _inbox.Reader.ReadAsync(wait.Token)).Data.ToByteArray()).Id != probe)
                {
                }

                return;
            }
            catch (OperationCanceledException) when (attempt < 30)
            {
            }
        }
    }

    /// <summary>The next message the seller sent this peer.</summary>
    public async Task<Reply> NextAsync()
    {
        using var bound = new CancellationTokenSource(ReplyBound);
        var message = await _inbox.Reader.ReadAsync(bound.Token);
        return Reply.Of(message.Data.ToByteArray());
    }

    /// <summary>Sends <paramref name="payload"/>, then a status request as a probe, and gives back every message
    /// the seller sent before the probe's answer. The seller reads one peer's messages in order and answers a
    /// malformed one before it reads the next, so what arrives before the probe's answer is all the answer the
    /// payload got — no waiting for a silence.</summary>
    public async Task<IReadOnlyList<Reply>> SendThenProbeAsync(byte[] payload)
    {
        await SendAsync(payload);
        var probe = JsonRpcCodec.NewId();
        await SendAsync(Request(PeerProtocol.Status, "{\"contract_id\":\"0000000000000000\"}", probe));
        var before = new List<Reply>();
        while (true)
        {
            var reply = await NextAsync();
            if (reply.Id == probe)
            {
                return before;
            }

            before.Add(reply);
        }
    }

    /// <summary>A reply as it came: its id, error code (or null), result, and size on the wire.</summary>
    internal sealed record Reply(string? Id, int? Code, string? Message, JsonElement? Result, int Bytes)
    {
        public static Reply Of(byte[] data)
        {
            using var document = JsonDocument.Parse(data);
            var root = document.RootElement;
            var id = root.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            int? code = null;
            string? message = null;
            if (root.TryGetProperty("error", out var error))
            {
                code = error.GetProperty("code").GetInt32();
                message = error.GetProperty("message").GetString();
            }

            JsonElement? result = root.TryGetProperty("result", out var r) ? r.Clone() : null;
            return new Reply(id, code, message, result, data.Length);
        }

        public string Summary => Code is { } c ? $"error {c}" : "result";
    }
}
