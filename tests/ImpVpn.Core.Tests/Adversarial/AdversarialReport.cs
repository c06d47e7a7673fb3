using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace ImpVpn.Core.Tests.Adversarial;

/// <summary>The record an adversarial test class keeps of each attack: what happened, the sats the victim lost and
/// what changed on its machine. Written, once the class has run, as a Markdown table to
/// <c>out/adversarial/&lt;name&gt;.md</c> under the repository, which the closing notes quote.</summary>
public abstract class AdversarialReport : IDisposable
{
    private readonly ConcurrentDictionary<string, string> _rows = new();

    protected abstract string Name { get; }

    protected abstract string Title { get; }

    public void Record(string attack, string outcome, long satsLost, string machineChanges) =>
        _rows[attack] = $"| {attack} | {outcome.ReplaceLineEndings(" ").Replace("|", "/", StringComparison.Ordinal)} | {satsLost} | {machineChanges} |";

    public void Dispose()
    {
        if (_rows.IsEmpty)
        {
            return;
        }

        var text = new StringBuilder()
            .AppendLine("# " + Title)
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Written by tests/ImpVpn.Core.Tests/Adversarial ({DateTimeOffset.UtcNow:u}); {_rows.Count} attacks.")
            .AppendLine()
            .AppendLine("| attack | what happened | sats lost | machine changes |")
            .AppendLine("| --- | --- | --- | --- |");
        foreach (var row in _rows.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            text.AppendLine(row.Value);
        }

        var folder = Path.Combine(RepositoryRoot(), "out", "adversarial");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, Name + ".md"), text.ToString());
        GC.SuppressFinalize(this);
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ImpVpn.PowerShell.sln")))
            {
                return folder.FullName;
            }
        }

        return Path.GetTempPath();
    }
}

/// <summary>The hostile-seller report (<see cref="HostileSellerTests"/>).</summary>
public sealed class HostileSellerReport : AdversarialReport
{
    protected override string Name => "hostile-seller";

    protected override string Title => "A hostile seller against the buyer";
}
