using System.Management.Automation;
using ImpVpn.Core.Buying;
using ImpVpn.PowerShell.Session;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// What -WhatIf says about routing fees: the limit the payment would have (the user's -MaxRoutingFeeSat, or the
/// default that grows with the amount) and, when a node is connected, what its own graph says a route to the seller
/// costs. Only under -WhatIf: a real run probes the seller's invoice itself before paying (and says so with -Verbose),
/// which says more than the graph.
/// </summary>
internal static class RouteFeePreview
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>"fee at most N sat", followed under -WhatIf by what the node's graph expects.</summary>
    public static string Describe(PSCmdlet cmdlet, string sellerPubKey, long amountSat, long feeLimitSat)
    {
        var text = $"fee at most {feeLimitSat} sat";
        if (!IsWhatIf(cmdlet) || VpnSession.Node is not { } node)
        {
            return text;
        }

        using var timeout = new CancellationTokenSource(Bound);
        var estimate = Task.Run(() => RouteProbe.EstimateAsync(node, sellerPubKey, amountSat, timeout.Token)).GetAwaiter().GetResult();
        return estimate switch
        {
            null => text,
            { RouteFound: true } => $"{text}; your node's graph has a route costing about {estimate.RoutingFeeSat} sat",
            _ => $"{text}; your node's graph has no route to the seller yet (its invoice's route hints may still give one)",
        };
    }

    private static bool IsWhatIf(PSCmdlet cmdlet) =>
        cmdlet.MyInvocation.BoundParameters.TryGetValue("WhatIf", out var given)
            ? given is SwitchParameter { IsPresent: true } or true
            : LanguagePrimitives.IsTrue(cmdlet.SessionState.PSVariable.GetValue("WhatIfPreference"));
}
