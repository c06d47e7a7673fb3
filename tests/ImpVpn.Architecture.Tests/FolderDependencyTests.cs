namespace ImpVpn.Architecture.Tests;

/// <summary>The folders of src/ form layers: no folder depends, directly or through others, on itself.</summary>
public sealed class FolderDependencyTests
{
    private static SourceTree Tree => SourceTree.Instance;

    [Fact]
    public void The_source_tree_is_found_and_read()
    {
        Assert.Contains(Tree.Projects, p => p.Folder == "src/ImpVpn.Core");
        Assert.Contains(Tree.Files, f => f.Project.Folder == "src/ImpVpn.Core");
        Assert.DoesNotContain(Tree.Files, f => f.Path.Contains("/obj/", StringComparison.Ordinal) || f.Path.Contains("/bin/", StringComparison.Ordinal));
    }

    [Fact]
    public void Folders_of_src_have_no_dependency_cycles()
    {
        var report = FolderGraph.Build(Tree).DescribeCycles();
        Assert.True(report.Length == 0, "\n" + report);
    }

    [Fact]
    public void Every_file_declares_the_namespace_of_its_folder()
    {
        var offenders = new List<string>();
        foreach (var file in Tree.Files)
        {
            var declared = Syntax.DeclaredNamespaces(file.Root).ToList();
            if (declared.Count == 0)
            {
                // Top-level statements (a Program.cs) live in the global namespace and cannot declare one.
                if (!file.Root.Members.All(m => m is Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax))
                {
                    offenders.Add($"{file.Path}: declares no namespace; expected {file.ExpectedNamespace}");
                }

                continue;
            }

            foreach (var (name, node) in declared.Where(d => d.Name != file.ExpectedNamespace))
            {
                offenders.Add($"{file.Path}:{Syntax.LineOf(node)}: namespace {name}; its folder expects {file.ExpectedNamespace}");
            }
        }

        Assert.True(offenders.Count == 0, $"\n{offenders.Count} file(s) whose namespace does not match the folder:\n  " + string.Join("\n  ", offenders));
    }
}
