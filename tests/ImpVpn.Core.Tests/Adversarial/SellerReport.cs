using System.Text;

namespace ImpVpn.Core.Tests.Adversarial;

/// <summary>
/// What each attack on the seller did, written as a table to <c>out/adversarial/seller-report.md</c> (under the
/// repository) when the suite's seller stops: the answer, the invoices the seller's node created, the sats moved,
/// what changed on the seller, and the memory of the process the seller ran in before and after the floods.
/// The tests assert the outcomes; this file records them for people.
/// </summary>
internal static class SellerReport
{
    private static readonly object Gate = new();
    private static readonly List<string> Rows = [];
    private static readonly List<string> Notes = [];

    public static void Row(string attack, string answer, long invoices, long satsMoved, string sellerChange)
    {
        lock (Gate)
        {
            Rows.Add($"| {attack} | {answer} | {invoices} | {satsMoved} | {sellerChange} |");
        }
    }

    public static void Note(string note)
    {
        lock (Gate)
        {
            Notes.Add("- " + note);
        }
    }

    public static string Write()
    {
        var text = new StringBuilder()
            .AppendLine("# A hostile peer against the seller")
            .AppendLine()
            .AppendLine("Written by `tests/ImpVpn.Core.Tests/Adversarial` (run by `build.ps1 test`). The seller runs on the LND")
            .AppendLine("simulator with its default limits and a /28 pool; hostile peers are nodes of the simulated network that")
            .AppendLine("send their own bytes. \"Invoices\" counts invoices created on the seller's node during the attack; \"sats")
            .AppendLine("moved\" is the change of the seller's channel balance not paid by an honest buyer in the same row.")
            .AppendLine()
            .AppendLine("| attack | seller's answer | invoices | sats moved | what changed on the seller |")
            .AppendLine("| --- | --- | --- | --- | --- |");
        lock (Gate)
        {
            Rows.ForEach(r => text.AppendLine(r));
            text.AppendLine().AppendLine("## Memory").AppendLine();
            Notes.ForEach(n => text.AppendLine(n));
        }

        return ReportFile.Write("seller-report", text.ToString());
    }
}
