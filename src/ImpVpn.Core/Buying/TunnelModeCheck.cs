using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Buying;

/// <summary>
/// Before anything is accepted or paid: whether this machine can use a tunnel of the quoted mode as the user asked.
/// A purchase this machine cannot finish is refused here, since after paying it would only end in a failed check and
/// a payment held until the seller's claim deadline. Refused:
/// <list type="bullet">
/// <item>an exit set up here where ImpVpn cannot route all traffic (outside Linux): buy it with -ConfigOnly;</item>
/// <item>a port forward with -ConfigOnly, or where ImpVpn cannot route by source address: the seller's connect-back
/// must reach this node through a tunnel that is up before the claim;</item>
/// <item>an exit beside another tunnel of this machine, or any tunnel beside an exit: the exit's kill switch lets
/// nothing out but through its own interface, and its routes would carry the other tunnel's WireGuard packets.</item>
/// </list>
/// </summary>
internal static class TunnelModeCheck
{
    public static void RequireUsable(VpnQuote quote, BuyerOptions options, TunnelSetup? setup, IReadOnlyList<BoughtContract> contracts, DateTimeOffset now)
    {
        var mode = TunnelOfferVocabulary.StoredMode(quote.Mode);
        var local = setup is not null && !options.ConfigOnly;
        if (mode == TunnelMode.PortForward && !local)
        {
            throw Refused("A port forward is proved by the seller connecting back through the tunnel before you pay, so its tunnel is set up on this machine: it cannot be bought as a configuration only, and only where ImpVpn sets up WireGuard.");
        }

        if (!local)
        {
            return;
        }

        if (setup!.CannotSetUp(mode) is { } why)
        {
            throw Refused(why);
        }

        var up = contracts.Where(c => OnThisMachine(c, now)).ToList();
        if (mode == TunnelMode.Exit && up.FirstOrDefault() is { } other)
        {
            throw Refused($"An exit takes all of this machine's traffic, and its kill switch lets nothing out but through it; tunnel {other.Id} ({other.InterfaceName}) is up here. Remove that tunnel first, or buy the exit as a configuration only, for another device.");
        }

        if (up.FirstOrDefault(c => c.TunnelMode == TunnelMode.Exit) is { } exit)
        {
            throw Refused($"The exit {exit.Id} ({exit.InterfaceName}) carries all of this machine's traffic, and its kill switch lets nothing out but through it. Remove the exit first, or buy this tunnel as a configuration only, for another device.");
        }
    }

    // A tunnel whose interface this machine may still hold: paid or being paid, not removed, its time not run out.
    private static bool OnThisMachine(BoughtContract contract, DateTimeOffset now) =>
        !contract.TunnelRemoved && contract.InterfaceName.Length > 0
        && contract.StateAt(now) is BoughtContractState.Active or BoughtContractState.Paying;

    private static PurchaseException Refused(string why) =>
        new(PurchaseError.OfferNotSupported, why + " Nothing was accepted or paid.");
}
