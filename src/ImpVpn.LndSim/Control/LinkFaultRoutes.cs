using ImpVpn.LndSim.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ImpVpn.LndSim.Control;

/// <summary>Control routes for the peer-link and credential faults (one route per switch, under
/// /nodes/NAME/faults/...), the HTTP face of the same switches on <see cref="SimNode"/>.</summary>
internal static class LinkFaultRoutes
{
    public sealed record DropPeerRequest(string Peer, bool? Reconnect, int? ReconnectAfterMs);

    public sealed record FlapPeerRequest(string Peer, int IntervalMs, int Times);

    public sealed record CountRequest(int Count);

    public sealed record SlotsRequest(int Slots);

    public sealed record LoseMessagesRequest(string Peer, int Count);

    /// <summary>A flap longer than this is refused: the fault stops by itself, well inside a test run.</summary>
    private static readonly TimeSpan LongestFlap = TimeSpan.FromMinutes(10);

    public static void MapLinkFaultRoutes(this IEndpointRouteBuilder app, Simulation simulation)
    {
        app.MapPost("/nodes/{name}/faults/drop-peer", (string name, DropPeerRequest request) =>
        {
            var reconnectAfter = request.ReconnectAfterMs is { } ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;
            var dropped = simulation[name].DropLinkTo(simulation[request.Peer].Name, request.Reconnect ?? true, reconnectAfter);
            return Results.Ok(new { dropped });
        });
        app.MapPost("/nodes/{name}/faults/flap-peer", (string name, FlapPeerRequest request) =>
        {
            if (request.IntervalMs <= 0 || request.Times <= 0 || TimeSpan.FromMilliseconds((double)request.IntervalMs * request.Times) > LongestFlap)
            {
                return Results.BadRequest(new { error = $"intervalMs and times must be positive and last at most {LongestFlap.TotalMinutes} minutes in all" });
            }

            // Runs on its own and ends after the last flap; the answer does not wait for it.
            _ = simulation[name].FlapLinkToAsync(simulation[request.Peer].Name, TimeSpan.FromMilliseconds(request.IntervalMs), request.Times);
            return Results.Accepted();
        });
        app.MapPost("/nodes/{name}/faults/drop-link-on-messages", (string name, CountRequest request) =>
        {
            simulation[name].DropLinkOnNextMessages(request.Count);
            return Results.Ok();
        });
        app.MapPost("/nodes/{name}/faults/lose-messages", (string name, LoseMessagesRequest request) =>
        {
            if (request.Count < 0)
            {
                return Results.BadRequest(new { error = "count must not be negative" });
            }

            simulation[name].LoseNextMessagesTo(simulation[request.Peer].Name, request.Count);
            return Results.Ok();
        });
        app.MapPost("/nodes/{name}/faults/restricted-peer-slots", (string name, SlotsRequest request) =>
        {
            simulation[name].RestrictedPeerSlots = request.Slots;
            return Results.Ok(new { slots = request.Slots });
        });
        app.MapPost("/nodes/{name}/faults/regenerate-tls", async (string name) =>
        {
            await simulation[name].RegenerateTlsAsync();
            return Results.Ok(ControlEndpoint.Describe(simulation[name]));
        });
        app.MapPost("/nodes/{name}/faults/rotate-macaroon", (string name) =>
        {
            simulation[name].RotateMacaroon();
            return Results.Ok(ControlEndpoint.Describe(simulation[name]));
        });
    }
}
