using ImpVpn.LndSim.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ImpVpn.LndSim.Control;

/// <summary>The control endpoint's payment switches: the profile, and per-node faults that shape how payments
/// travel (docs/simulator.md). Kept beside ControlEndpoint so the two grow without touching each other.</summary>
internal static class PaymentControl
{
    public sealed record ProfileRequest(string Profile);

    public sealed record PaymentFaultRequest(int? FailNextParts, int? SplitNextPayment, int? ExtraHopLatencyMs, int? AcceptDelayMs, bool? RouteFeeEstimationUnavailable);

    public static void Map(IEndpointRouteBuilder app, Simulation simulation)
    {
        app.MapGet("/profile", () => new { profile = Describe(simulation) });
        app.MapPost("/profile", (ProfileRequest request) =>
        {
            try
            {
                simulation.Profile = SimulatorConfig.ParseProfile(request.Profile);
            }
            catch (ArgumentException e)
            {
                return Results.BadRequest(new { error = e.Message });
            }

            return Results.Ok(new { profile = Describe(simulation) });
        });
        app.MapPost("/nodes/{name}/payment-faults", (string name, PaymentFaultRequest faults) =>
        {
            var node = simulation[name];
            if (faults.FailNextParts is { } fail)
            {
                node.FailNextParts(fail);
            }

            if (faults.SplitNextPayment is { } parts)
            {
                node.SplitNextPayment(parts);
            }

            if (faults.ExtraHopLatencyMs is { } latency)
            {
                node.ExtraHopLatency = TimeSpan.FromMilliseconds(latency);
            }

            if (faults.AcceptDelayMs is { } delay)
            {
                node.AcceptDelay = TimeSpan.FromMilliseconds(delay);
            }

            if (faults.RouteFeeEstimationUnavailable is { } unavailable)
            {
                node.RouteFeeEstimationUnavailable = unavailable;
            }

            return Results.Ok(ControlEndpoint.Describe(node));
        });
    }

    private static string Describe(Simulation simulation) => simulation.Profile.ToString().ToLowerInvariant();
}
