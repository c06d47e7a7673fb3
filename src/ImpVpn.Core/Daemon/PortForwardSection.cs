using ImpVpn.Core.Selling;

namespace ImpVpn.Core.Daemon;

/// <summary>The configuration file's <c>Seller.PortForward</c>: the public ports a seller forwards to port-forward
/// buyers' Lightning port, e.g. <c>"PortForward": { "PublicAddress": "203.0.113.5", "Ports": "40000-40999" }</c>.</summary>
public sealed class PortForwardSection
{
    /// <summary>The host buyers' nodes announce; the host of <c>Seller.Endpoint</c> when absent.</summary>
    public string? PublicAddress { get; set; }

    /// <summary>The public TCP ports, "first-last"; required.</summary>
    public string? Ports { get; set; }
}

/// <summary>Checks <see cref="PortForwardSection"/>, naming the key that is wrong.</summary>
internal static class PortForwardConfigurationCheck
{
    public static PortForwardOptions? Check(PortForwardSection? section, string endpoint, bool manageFirewall, bool configOnly)
    {
        if (section is null)
        {
            return null;
        }

        if (string.IsNullOrEmpty(section.Ports))
        {
            throw new DaemonConfigurationException("Seller.PortForward.Ports", "is required in Seller.PortForward: the public TCP ports to forward, e.g. \"40000-40999\".");
        }

        try
        {
            PortForwardOptions.ParseRange(section.Ports);
        }
        catch (ArgumentException e)
        {
            throw new DaemonConfigurationException("Seller.PortForward.Ports", e.Message, e);
        }

        PortForwardOptions options;
        try
        {
            options = PortForwardOptions.FromSettings(section.PublicAddress, section.Ports, endpoint)!;
        }
        catch (ArgumentException e)
        {
            throw new DaemonConfigurationException("Seller.PortForward.PublicAddress", e.Message, e);
        }

        if (!manageFirewall || configOnly)
        {
            throw new DaemonConfigurationException("Seller.PortForward", "needs ImpVpn's firewall (Seller.ManageFirewall true, Seller.ConfigOnly false): the forwarding is done by it.");
        }

        return options;
    }
}
