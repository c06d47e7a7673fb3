using System.Text;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.Demo;

// Usage: ImpVpn.Demo <path to ImpVpn.LndSim.dll>
// Two simulated LND nodes; ImpVpn's LND client opens a channel between them, sends a custom message, pays an invoice.
if (args.Length != 1 || !File.Exists(args[0]))
{
    Console.Error.WriteLine("usage: ImpVpn.Demo <path to ImpVpn.LndSim.dll>  (build.ps1 demo passes it)");
    return 2;
}

var folder = Directory.CreateTempSubdirectory("impvpn-demo-").FullName;
var none = CancellationToken.None;
void Step(string text) => Console.WriteLine($"==> {text}");

Step("Starting the LND simulator with two nodes, alice (the buyer) and bob (the seller)");
await using var simulator = await SimulatorProcess.StartAsync(args[0], folder, "alice", "bob");

LndConnectionOptions OptionsFor(string name)
{
    var node = simulator.Node(name);
    return LndConnectionOptions.FromFiles(node.GetProperty("rpcAddress").GetString()!, node.GetProperty("tlsCertPath").GetString()!,
        node.GetProperty("macaroonPath").GetString()!, "regtest");
}

Step("Connecting to both nodes over gRPC: TLS pinned to each tls.cert, macaroon in the metadata");
await using var alice = await LndNode.ConnectAsync(OptionsFor("alice"), requireSynced: true, none);
await using var bob = await LndNode.ConnectAsync(OptionsFor("bob"), requireSynced: true, none);
Console.WriteLine($"    alice {alice.Info!.IdentityPubKey} on {alice.Info.Network}");
Console.WriteLine($"    bob   {bob.Info!.IdentityPubKey} on {bob.Info.Network}");

Step("alice connects to bob as a peer, at the address in bob's node URI (he has no channel yet, so he is not in the graph)");
var bobUri = bob.Info.Uris[0];
Console.WriteLine($"    bob in alice's graph: {(await alice.GetNodeInfoAsync(bob.Info.IdentityPubKey, none) is null ? "no" : "yes")}; bob's URI {bobUri[..16]}…{bobUri[(bobUri.IndexOf('@'))..]}");
await alice.ConnectPeerAsync(bob.Info.IdentityPubKey, bobUri[(bobUri.IndexOf('@') + 1)..], none);
Console.WriteLine($"    peers of alice: {string.Join(", ", (await alice.ListPeersAsync(none)).Select(p => p.PubKey[..16] + "…"))}");

Step("alice opens a 1,000,000 sat channel to bob");
var channelPoint = await alice.OpenChannelAsync(bob.Info.IdentityPubKey, 1_000_000, 0, none);
Console.WriteLine($"    channel {channelPoint}; alice can spend {(await alice.GetChannelBalanceAsync(none)).LocalSat:N0} sat");
Console.WriteLine($"    bob in alice's graph now: {((await alice.GetNodeInfoAsync(bob.Info.IdentityPubKey, none))?.Addresses[0]) ?? "no"}");

Step("alice sends bob a custom peer message (type 40709, ImpVpn's protocol type)");
using var listening = new CancellationTokenSource(TimeSpan.FromSeconds(30));
var received = Task.Run(async () =>
{
    await foreach (var message in bob.SubscribeCustomMessagesAsync(listening.Token))
    {
        return message;
    }

    throw new TimeoutException("No custom message arrived.");
});
await Task.Delay(200);
await alice.SendCustomMessageAsync(bob.Info.IdentityPubKey, 40709, Encoding.UTF8.GetBytes("hello from alice"), none);
var arrived = await received;
Console.WriteLine($"    bob received type {arrived.Type} from {arrived.PeerPubKey[..16]}…: \"{Encoding.UTF8.GetString(arrived.Data)}\"");

Step("bob issues a 21,000 sat invoice; alice checks it and pays it");
var invoice = await bob.AddInvoiceAsync(new InvoiceRequest(21_000, "ImpVpn demo"), none);
var decoded = await alice.DecodePaymentRequestAsync(invoice.PaymentRequest, none);
Console.WriteLine($"    {invoice.PaymentRequest[..40]}… for {decoded.AmountSat:N0} sat to {decoded.Destination[..16]}…");
var before = (await alice.GetChannelBalanceAsync(none)).LocalSat;
var payment = await alice.PayAsync(new PaymentOrder(invoice.PaymentRequest, FeeLimitSat: 10, Timeout: TimeSpan.FromSeconds(30)), none);
var settled = await bob.LookupInvoiceAsync(invoice.PaymentHash, none);
Console.WriteLine($"    payment {payment.Status}, fee {payment.FeeSat} sat; bob's invoice is {settled!.State}");
Console.WriteLine($"    alice's balance {before:N0} → {(await alice.GetChannelBalanceAsync(none)).LocalSat:N0} sat; bob's {(await bob.GetChannelBalanceAsync(none)).LocalSat:N0} sat");

Step("Done: the Lightning layer works. Part 2 buys a WireGuard tunnel over it.");
Directory.Delete(folder, recursive: true);
return payment.Status == PaymentStatus.Succeeded ? 0 : 1;
