using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace ImpVpn.Core.Tests.Adversarial;

/// <summary>What each attack of a hostile seller did to the buyer (<see cref="HostileSellerTests"/>): what happened,
/// the sats the buyer lost and what changed on its machine. Written, once the class has run, as a Markdown table
/// (<see cref="ReportFile"/>, <c>hostile-seller.md</c>).</summary>
public sealed class HostileSellerReport : IDisposable
{
    private readonly ConcurrentDictionary<string, string> _rows = new();

    public void Record(string attack, string outcome, long satsLost, string machineChanges) =>
        _rows[attack] = $"| {attack} | {outcome.ReplaceLineEndings(" ").Replace("|", "/", StringComparison.Ordinal)} | {satsLost} | {machineChanges} |";

    public void Dispose()
    {
        if (_rows.IsEmpty)
        {
            return;
        }

        var text = new StringBuilder()
            .AppendLine("# A hostile seller against the buyer")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Written by tests/ImpVpn.Core.Tests/Adversarial ({DateTimeOffset.UtcNow:u}); {_rows.Count} attacks.")
            .AppendLine()
            .AppendLine("| attack | what happened | sats lost | machine changes |")
            .AppendLine("| --- | --- | --- | --- |");
        foreach (var row in _rows.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            text.AppendLine(row.Value);
        }

        ReportFile.Write("hostile-seller", text.ToString());
        GC.SuppressFinalize(this);
    }
}
