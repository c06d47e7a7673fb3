using System.Globalization;
using System.Text;
using ImpVpn.Core.Tests.Adversarial;

namespace ImpVpn.Core.Tests.Realistic;

/// <summary>The matrix as a table (operation × hops × fault: runs, successes, refunds, mean time), written to
/// <c>out/adversarial/matrix-PROFILE.md</c> on every run for the closing notes.</summary>
internal static class MatrixReport
{
    public static string Write(string profile, IReadOnlyList<MatrixOutcome> outcomes, int sellerRestarts)
    {
        var text = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        text.AppendLine(invariant, $"# Purchase and refresh matrix, `{profile}` profile");
        text.AppendLine();
        foreach (var operation in outcomes.GroupBy(o => o.Operation))
        {
            var all = operation.ToList();
            text.AppendLine(invariant, $"{operation.Key}: {all.Count} runs, {all.Count(o => o.Succeeded)} succeeded, {all.Count(o => !o.Succeeded)} refunded with an error, "
                + $"{all.Count(o => o.Violation() is not null)} broke a rule; mean {Mean(all)} per run (successes only: {Mean(all.Where(o => o.Succeeded))}).");
        }

        text.AppendLine(invariant, $"Seller restarts: {sellerRestarts}.");
        text.AppendLine();
        text.AppendLine("| operation | hops | fault | runs | fault struck | succeeded | refunded | resumed | mean time | errors |");
        text.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var cell in outcomes.GroupBy(o => (o.Operation, o.Hops, o.Fault)).OrderBy(g => g.Key))
        {
            var runs = cell.ToList();
            var errors = string.Join("; ", runs.Where(o => !o.Succeeded).Select(o => $"{o.Error}: {o.ErrorMessage}").Distinct());
            text.AppendLine(invariant, $"| {cell.Key.Operation} | {cell.Key.Hops} | {cell.Key.Fault} | {runs.Count} | {runs.Count(o => o.Struck)} | {runs.Count(o => o.Succeeded)} | "
                + $"{runs.Count(o => !o.Succeeded)} | {runs.Count(o => o.Resumed)} | {Mean(runs)} | {errors.Replace("|", "/", StringComparison.Ordinal)} |");
        }

        return ReportFile.Write("matrix-" + profile, text.ToString());
    }

    private static string Mean(IEnumerable<MatrixOutcome> outcomes)
    {
        var list = outcomes.ToList();
        return list.Count == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{list.Average(o => o.Took.TotalMilliseconds):0} ms");
    }
}
