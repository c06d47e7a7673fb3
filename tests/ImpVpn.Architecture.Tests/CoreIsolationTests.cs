using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ImpVpn.Architecture.Tests;

/// <summary>The core knows nothing of PowerShell: neither its API nor its vocabulary (cmdlet and parameter names).</summary>
public sealed partial class CoreIsolationTests
{
    private const string CoreFolder = "src/ImpVpn.Core";

    private static readonly string[] PowerShellPackages =
        ["System.Management.Automation", "PowerShellStandard.Library", "Microsoft.PowerShell.SDK", "Microsoft.PowerShell"];

    private static SourceTree Tree => SourceTree.Instance;

    private static IEnumerable<SourceFile> CoreFiles =>
        Tree.Files.Where(f => f.Folder == CoreFolder || f.Folder.StartsWith(CoreFolder + "/", StringComparison.Ordinal));

    [Fact]
    public void Core_code_does_not_use_PowerShell()
    {
        var offenders = new List<string>();
        foreach (var file in CoreFiles)
        {
            foreach (var directive in file.Root.DescendantNodes().OfType<UsingDirectiveSyntax>())
            {
                if (Syntax.NameOf(directive) is { } name && IsPowerShellName(name))
                {
                    offenders.Add($"{file.Path}:{Syntax.LineOf(directive)}: {directive.ToString().Trim()}");
                }
            }

            foreach (var root in new[] { "System", "Microsoft" })
            {
                foreach (var (name, node) in Syntax.QualifiedNamesFrom(file.Root, root).Where(n => IsPowerShellName(n.Name)))
                {
                    offenders.Add($"{file.Path}:{Syntax.LineOf(node)}: names {name}");
                }
            }
        }

        Assert.True(offenders.Count == 0, "\nImpVpn.Core uses PowerShell:\n  " + string.Join("\n  ", offenders));
    }

    [Fact]
    public void Core_and_the_projects_it_references_take_no_PowerShell_package()
    {
        var offenders = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>([Path.Combine(Tree.Root, CoreFolder, "ImpVpn.Core.csproj")]);
        while (pending.TryDequeue(out var projectFile))
        {
            projectFile = Path.GetFullPath(projectFile);
            if (!seen.Add(projectFile))
            {
                continue;
            }

            var relative = Path.GetRelativePath(Tree.Root, projectFile).Replace('\\', '/');
            foreach (var item in XDocument.Load(projectFile).Descendants())
            {
                var include = item.Attribute("Include")?.Value ?? item.Attribute("Update")?.Value;
                if (include is null)
                {
                    continue;
                }

                switch (item.Name.LocalName)
                {
                    case "PackageReference" or "Reference" or "PackageDownload" when PowerShellPackages.Any(p => include.StartsWith(p, StringComparison.OrdinalIgnoreCase)):
                        offenders.Add($"{relative}: <{item.Name.LocalName} Include=\"{include}\">");
                        break;
                    case "ProjectReference":
                        if (Path.GetFileNameWithoutExtension(include).Contains("PowerShell", StringComparison.OrdinalIgnoreCase))
                        {
                            offenders.Add($"{relative}: <ProjectReference Include=\"{include}\">");
                        }

                        pending.Enqueue(Path.Combine(Path.GetDirectoryName(projectFile)!, include.Replace('\\', '/')));
                        break;
                }
            }
        }

        Assert.True(offenders.Count == 0, "\nImpVpn.Core references PowerShell:\n  " + string.Join("\n  ", offenders));
    }

    [Fact]
    public void Core_messages_name_no_cmdlet_and_no_cmdlet_parameter()
    {
        var offenders = CoreFiles.SelectMany(PowerShellVocabulary).ToList();
        Assert.True(offenders.Count == 0,
            $"\n{offenders.Count} string literal(s) in ImpVpn.Core name a cmdlet or a PowerShell parameter (the cmdlets own that vocabulary):\n  " +
            string.Join("\n  ", offenders));
    }

    /// <summary>Each string literal of the file that names a cmdlet or a parameter, as "path:line: what in "text"".</summary>
    internal static IEnumerable<string> PowerShellVocabulary(SourceFile file)
    {
        foreach (var (text, line) in StringLiterals(file))
        {
            var found = CmdletName().Matches(text).Select(m => m.Value)
                .Concat(ParameterToken().Matches(text).Select(m => m.Groups["parameter"].Value))
                .Distinct()
                .ToList();
            if (found.Count > 0)
            {
                yield return $"{file.Path}:{line}: {string.Join(", ", found)} in \"{text}\"";
            }
        }
    }

    private static bool IsPowerShellName(string name) =>
        name == "System.Management.Automation" || name.StartsWith("System.Management.Automation.", StringComparison.Ordinal) ||
        name == "Microsoft.PowerShell" || name.StartsWith("Microsoft.PowerShell.", StringComparison.Ordinal);

    /// <summary>
    /// The text of every string literal in code, with its line: plain, verbatim, raw and UTF-8 literals, and the
    /// literal parts of interpolated strings joined around a {…} for each hole. Comments and XML docs are trivia
    /// and are not read.
    /// </summary>
    private static IEnumerable<(string Text, int Line)> StringLiterals(SourceFile file)
    {
        foreach (var node in file.Root.DescendantNodes())
        {
            switch (node)
            {
                case LiteralExpressionSyntax literal when literal.Token.IsKind(SyntaxKind.StringLiteralToken) ||
                                                          literal.Token.IsKind(SyntaxKind.Utf8StringLiteralToken) ||
                                                          literal.Token.IsKind(SyntaxKind.SingleLineRawStringLiteralToken) ||
                                                          literal.Token.IsKind(SyntaxKind.MultiLineRawStringLiteralToken) ||
                                                          literal.Token.IsKind(SyntaxKind.Utf8SingleLineRawStringLiteralToken) ||
                                                          literal.Token.IsKind(SyntaxKind.Utf8MultiLineRawStringLiteralToken):
                    yield return (literal.Token.ValueText, Syntax.LineOf(literal));
                    break;
                case InterpolatedStringExpressionSyntax interpolated:
                    var text = string.Concat(interpolated.Contents.Select(c => c is InterpolatedStringTextSyntax t ? t.TextToken.ValueText : "{…}"));
                    yield return (text, Syntax.LineOf(interpolated));
                    break;
            }
        }
    }

    /// <summary>A cmdlet of this module: Verb-Vpn… (Confirm-VpnContract, Start-VpnProvider, …).</summary>
    [GeneratedRegex(@"\b[A-Z][a-z]+-Vpn[A-Za-z]*\b")]
    private static partial Regex CmdletName();

    /// <summary>A PowerShell parameter token: -Force, -TlsCertPath, (-Id …), at the start or after a space or '('.</summary>
    [GeneratedRegex(@"(^|[\s(])(?<parameter>-[A-Z][A-Za-z]+)")]
    private static partial Regex ParameterToken();
}
