using System.Management.Automation;

namespace ImpVpn.PowerShell.Completion;

/// <summary>Turns candidate values into completion results the way PowerShell's own completers do:
/// prefix match without regard to case, quoted only when the value needs it.</summary>
internal static class CompletionText
{
    public static IEnumerable<CompletionResult> Matching(string wordToComplete, IEnumerable<(string Value, string ToolTip)> candidates)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        return candidates
            .Where(c => c.Value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .DistinctBy(c => c.Value, StringComparer.OrdinalIgnoreCase)
            .Select(c => new CompletionResult(Quote(c.Value), c.Value, CompletionResultType.ParameterValue, c.ToolTip));
    }

    private static string Quote(string value) =>
        value.Any(ch => char.IsWhiteSpace(ch) || ch is '\'' or '"' or '$' or '`' or ';' or '|' or '&') ? $"'{value.Replace("'", "''")}'" : value;
}
