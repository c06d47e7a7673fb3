using System.Globalization;
using System.Text.RegularExpressions;

namespace ImpVpn.Bench;

/// <summary>An interface's MTU as `ip link` shows it.</summary>
internal static partial class LinkMtu
{
    public static async Task<int> ReadAsync(string ns, string name)
    {
        var output = await BoundedCommand.RunAsync(null, TimeSpan.FromSeconds(10), "ip", "-n", ns, "-o", "link", "show", "dev", name);
        var match = Mtu().Match(output);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : throw new InvalidOperationException($"No MTU in: {output}");
    }

    [GeneratedRegex(@"\bmtu (\d+)")]
    private static partial Regex Mtu();
}
