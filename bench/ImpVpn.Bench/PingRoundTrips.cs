using System.Globalization;
using System.Text.RegularExpressions;

namespace ImpVpn.Bench;

/// <summary>Round-trip times through a tunnel: `ping -c N -i 0.05` from one namespace, each echo's own time
/// (time=… ms) read from its line, so the caller can take the median rather than ping's average.</summary>
internal static partial class PingRoundTrips
{
    public static async Task<IReadOnlyList<TimeSpan>> MeasureAsync(string ns, string address, int count)
    {
        var output = await BoundedCommand.RunAsync(ns, TimeSpan.FromSeconds(count * 0.05 + 20), "ping", "-n", "-c", count.ToString(CultureInfo.InvariantCulture), "-i", "0.05", "-W", "1", address);
        var times = EchoTime().Matches(output)
            .Select(m => TimeSpan.FromMilliseconds(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)))
            .ToList();
        return times.Count > 0 ? times : throw new InvalidOperationException($"ping from {ns} to {address} got no answer: {output}");
    }

    [GeneratedRegex(@"time=([0-9.]+) ms")]
    private static partial Regex EchoTime();
}
