using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ImpVpn.Architecture.Tests;

/// <summary>A project under src/: its folder (relative to the repository, with '/') and its root namespace.</summary>
internal sealed record SourceProject(string Folder, string RootNamespace, string ProjectFile);

/// <summary>One hand-written .cs file under src/, parsed (syntax only).</summary>
internal sealed record SourceFile(string Path, string Folder, SourceProject Project, SyntaxTree Tree)
{
    public CompilationUnitSyntax Root => (CompilationUnitSyntax)Tree.GetRoot();

    public int LineOf(SyntaxNode node) => node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;

    public int LineOf(SyntaxToken token) => token.GetLocation().GetLineSpan().StartLinePosition.Line + 1;

    /// <summary>The namespace the folder asks for: the project's root namespace and the folders below it.</summary>
    public string ExpectedNamespace =>
        Folder == Project.Folder
            ? Project.RootNamespace
            : Project.RootNamespace + "." + Folder[(Project.Folder.Length + 1)..].Replace('/', '.');
}

/// <summary>
/// The source of src/ as the architecture tests read it: every project (a folder holding a .csproj) and every
/// hand-written .cs file in it. obj/ and bin/ are skipped, and so is generated code (*.g.cs, *.Designer.cs,
/// *.generated.cs, or a file that starts with an auto-generated header).
/// </summary>
internal sealed class SourceTree
{
    private static readonly Lazy<SourceTree> Current = new(() => Load(FindRepositoryRoot()));

    private SourceTree(string root, IReadOnlyList<SourceProject> projects, IReadOnlyList<SourceFile> files)
    {
        Root = root;
        Projects = projects;
        Files = files;
    }

    public static SourceTree Instance => Current.Value;

    public string Root { get; }

    public IReadOnlyList<SourceProject> Projects { get; }

    public IReadOnlyList<SourceFile> Files { get; }

    /// <summary>The repository root: the nearest folder above the test assembly that holds ImpVpn.PowerShell.sln.</summary>
    public static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "ImpVpn.PowerShell.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No ImpVpn.PowerShell.sln above {AppContext.BaseDirectory}: the architecture tests read the source tree.");
    }

    public static SourceTree Load(string root)
    {
        var src = System.IO.Path.Combine(root, "src");
        var projects = Directory.EnumerateFiles(src, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !IsBuildOutput(Relative(root, p)))
            .Select(p => new SourceProject(Relative(root, System.IO.Path.GetDirectoryName(p)!), RootNamespaceOf(p), Relative(root, p)))
            .OrderByDescending(p => p.Folder.Length)
            .ToList();

        var options = new CSharpParseOptions(LanguageVersion.Preview);
        var files = new List<SourceFile>();
        foreach (var path in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Relative(root, path);
            if (IsBuildOutput(relative) || IsGenerated(path))
            {
                continue;
            }

            var folder = relative[..relative.LastIndexOf('/')];
            var project = projects.FirstOrDefault(p => folder == p.Folder || folder.StartsWith(p.Folder + "/", StringComparison.Ordinal));
            if (project is null)
            {
                continue; // not part of any project
            }

            var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(path), options, relative);
            files.Add(new SourceFile(relative, folder, project, tree));
        }

        return new SourceTree(root, projects, files);
    }

    private static string Relative(string root, string path) => System.IO.Path.GetRelativePath(root, path).Replace('\\', '/');

    private static bool IsBuildOutput(string relative) =>
        relative.Split('/').Any(segment => segment is "obj" or "bin");

    private static bool IsGenerated(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        if (name.EndsWith(".g.cs", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".g.i.cs", StringComparison.OrdinalIgnoreCase) ||
            name.EndsWith(".Designer.cs", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".generated.cs", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        using var reader = new StreamReader(path);
        for (var i = 0; i < 5 && reader.ReadLine() is { } line; i++)
        {
            if (line.Contains("<auto-generated", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string RootNamespaceOf(string projectFile)
    {
        var declared = XDocument.Load(projectFile).Descendants()
            .FirstOrDefault(e => e.Name.LocalName == "RootNamespace")?.Value.Trim();
        return string.IsNullOrEmpty(declared) ? System.IO.Path.GetFileNameWithoutExtension(projectFile) : declared;
    }
}

/// <summary>Syntax helpers shared by the rules.</summary>
internal static class Syntax
{
    /// <summary>The name a using directive brings in, without <c>global::</c>: a namespace, or a type for
    /// <c>using static</c> and for aliases.</summary>
    public static string? NameOf(UsingDirectiveSyntax directive) =>
        directive.NamespaceOrType?.ToString().Replace("global::", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);

    /// <summary>Every namespace the file declares (nested ones joined with their parents).</summary>
    public static IEnumerable<(string Name, BaseNamespaceDeclarationSyntax Node)> DeclaredNamespaces(CompilationUnitSyntax root) =>
        root.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>()
            .Select(n => (string.Join('.', n.AncestorsAndSelf().OfType<BaseNamespaceDeclarationSyntax>().Reverse().Select(a => a.Name.ToString())), n));

    /// <summary>
    /// Names written in code that start with a given root identifier, as dotted text (<c>ImpVpn.Core.Store.ContractStore.Save</c>),
    /// outside using directives and namespace declarations. XML docs are trivia and are not visited.
    /// </summary>
    public static IEnumerable<(string Name, SyntaxNode Node)> QualifiedNamesFrom(CompilationUnitSyntax root, string rootIdentifier)
    {
        foreach (var identifier in root.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (identifier.Identifier.ValueText != rootIdentifier)
            {
                continue;
            }

            SyntaxNode current = identifier;
            if (current.Parent is AliasQualifiedNameSyntax alias && alias.Name == current)
            {
                current = alias; // global::ImpVpn
            }

            var parts = new List<string> { rootIdentifier };
            while (true)
            {
                if (current.Parent is QualifiedNameSyntax qualified && qualified.Left == current)
                {
                    parts.Add(qualified.Right.Identifier.ValueText);
                    current = qualified;
                }
                else if (current.Parent is MemberAccessExpressionSyntax access && access.Expression == current)
                {
                    parts.Add(access.Name.Identifier.ValueText);
                    current = access;
                }
                else
                {
                    break;
                }
            }

            if (parts.Count == 1 || current.Ancestors().Any(a => a is UsingDirectiveSyntax) ||
                current.Parent is BaseNamespaceDeclarationSyntax)
            {
                continue;
            }

            yield return (string.Join('.', parts), current);
        }
    }
}
