using System.Globalization;
using System.Net;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.LndSim.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImpVpn.LndSim.Control;

/// <summary>Fault switches and set-up for scripts and Pester tests: plain HTTP + JSON, bound to loopback only.</summary>
internal static class ControlEndpoint
{
    public sealed record FaultRequest(
        bool? DropCustomMessages, int? CustomMessageDelayMs, string? FailNextPayment, bool? SyncedToChain, string? ReportedNetwork,
        string? TamperNextInvoice);

    public sealed record PeerRequest(string A, string B);

    public static async Task<(WebApplication App, Uri Address)> StartAsync(Simulation simulation, string hostPort, CancellationToken cancellationToken)
    {
        var colon = hostPort.LastIndexOf(':');
        var address = IPAddress.Parse(hostPort[..colon]);
        if (!IPAddress.IsLoopback(address))
        {
            throw new ArgumentException("The control endpoint has no authentication: it binds to loopback only.");
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, int.Parse(hostPort[(colon + 1)..], CultureInfo.InvariantCulture)));
        var app = builder.Build();

        app.MapGet("/nodes", () => simulation.Nodes.Select(Describe));
        app.MapPost("/nodes/{name}/down", async (string name) => { await simulation[name].SetDownAsync(true); return Describe(simulation[name]); });
        app.MapPost("/nodes/{name}/up", async (string name) => { await simulation[name].SetDownAsync(false); return Describe(simulation[name]); });
        app.MapGet("/nodes/{name}/balance", (string name) => new { localSat = simulation[name].LocalBalanceSat, localMsat = simulation[name].LocalBalanceMsat });
        // An invoice as its node sees it, so a script can wait for a payment to be held (ACCEPTED) rather than guess.
        app.MapGet("/nodes/{name}/invoices/{hash}", (string name, string hash) =>
        {
            var network = simulation.Network;
            var found = hash.Length == 64 && hash.All(Uri.IsHexDigit)
                ? network.Read(() => network.LookupInvoice(simulation[name].Name, Convert.FromHexString(hash)) is { } invoice
                    ? new { state = invoice.State.ToString().ToUpperInvariant(), amountPaidMsat = invoice.AmountPaidMsat }
                    : null)
                : null;
            return found is null ? Results.NotFound() : Results.Ok(found);
        });
        app.MapPost("/nodes/{name}/faults", (string name, FaultRequest faults) =>
        {
            var node = simulation[name];
            if (faults.DropCustomMessages is { } drop)
            {
                node.DropCustomMessages = drop;
            }

            if (faults.CustomMessageDelayMs is { } delay)
            {
                node.CustomMessageDelay = TimeSpan.FromMilliseconds(delay);
            }

            if (faults.FailNextPayment is { } reason)
            {
                node.FailNextPayment(Enum.Parse<PaymentFailureReason>("FailureReason" + reason.Replace("_", string.Empty), ignoreCase: true));
            }

            if (faults.TamperNextInvoice is { } tampering)
            {
                node.TamperNextInvoice(Enum.Parse<Network.InvoiceTampering>(tampering.Replace("_", string.Empty), ignoreCase: true));
            }

            if (faults.SyncedToChain is { } synced)
            {
                node.SyncedToChain = synced;
            }

            if (faults.ReportedNetwork is not null)
            {
                node.ReportedNetwork = faults.ReportedNetwork.Length == 0 ? null : faults.ReportedNetwork;
            }

            return Results.Ok(Describe(node));
        });
        app.MapLinkFaultRoutes(simulation);
        PaymentControl.Map(app, simulation);
        app.MapPost("/peers", (PeerRequest peers) => { simulation.Connect(peers.A, peers.B); return Results.Ok(); });
        app.MapPost("/channels", async (Hosting.ChannelSpec channel) =>
        {
            await simulation.OpenChannelAsync(channel.From, channel.To, channel.CapacitySat, channel.PushSat, isPrivate: channel.Private);
            return Results.Ok();
        });

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(bound));
    }

    public static object Describe(SimNode node) => new
    {
        name = node.Name,
        pubKey = node.PubKey,
        rpcAddress = node.RpcAddress,
        p2pAddress = node.P2pAddress,
        directory = node.NodeDirectory,
        tlsCertPath = node.TlsCertPath,
        macaroonPath = node.MacaroonPath,
        network = node.Network,
        isDown = node.IsDown,
    };
}
