using System.Text;

namespace ImpVpn.Architecture.Tests;

/// <summary>Why one folder depends on another: the file and line, and what it says there.</summary>
internal sealed record Evidence(string File, int Line, string What)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line} {What}" : What;
}

/// <summary>
/// Which folder of src/ depends on which. Folder A depends on folder B when a .cs file directly in A names B's
/// namespace in a using directive (plain, global, static or alias) or writes a name under it fully qualified in
/// code; and every folder depends on each ancestor folder (up to its project's folder) that directly holds .cs
/// files declaring something in its namespace, since C# code sees its parent namespaces without a using (a folder
/// holding only top-level statements declares nothing there). Namespaces map to folders as
/// &lt;project folder&gt;/&lt;rest of the namespace as path&gt;; a name maps to the folder of its longest namespace.
/// </summary>
internal sealed class FolderGraph
{
    private readonly SortedDictionary<string, SortedDictionary<string, List<Evidence>>> _edges = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Folders => _edges.Keys;

    public IEnumerable<string> DependenciesOf(string folder) =>
        _edges.TryGetValue(folder, out var targets) ? targets.Keys : [];

    public IReadOnlyList<Evidence> EvidenceFor(string from, string to) => _edges[from][to];

    public static FolderGraph Build(SourceTree tree)
    {
        var graph = new FolderGraph();
        // Folders that directly hold .cs files declaring something in a namespace, by the namespace their path asks
        // for. A folder whose only file is top-level statements (a Program.cs) adds nothing to its namespace: the
        // compiler puts that code in the global namespace, so no child sees it and no name can point at it.
        var folderByNamespace = tree.Files
            .Where(f => Syntax.DeclaredNamespaces(f.Root).Any())
            .GroupBy(f => f.Folder)
            .ToDictionary(g => g.First().ExpectedNamespace, g => g.Key, StringComparer.Ordinal);
        var namespaces = folderByNamespace.Keys.OrderByDescending(n => n.Length).ToList();

        string? FolderOf(string name) =>
            namespaces.FirstOrDefault(n => name == n || name.StartsWith(n + ".", StringComparison.Ordinal)) is { } ns ? folderByNamespace[ns] : null;

        foreach (var folder in tree.Files.Select(f => f.Folder).Distinct())
        {
            graph.AddFolder(folder);
        }

        foreach (var file in tree.Files)
        {
            foreach (var directive in file.Root.DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.UsingDirectiveSyntax>())
            {
                if (Syntax.NameOf(directive) is { } name && FolderOf(name) is { } target)
                {
                    graph.Add(file.Folder, target, new Evidence(file.Path, Syntax.LineOf(directive), directive.ToString().Trim()));
                }
            }

            foreach (var (name, node) in Syntax.QualifiedNamesFrom(file.Root, "ImpVpn"))
            {
                if (FolderOf(name) is { } target)
                {
                    graph.Add(file.Folder, target, new Evidence(file.Path, Syntax.LineOf(node), "names " + name));
                }
            }
        }

        foreach (var folder in graph.Folders.ToList())
        {
            var project = tree.Files.First(f => f.Folder == folder).Project;
            for (var parent = Parent(folder); parent is not null && parent.Length >= project.Folder.Length; parent = Parent(parent))
            {
                if (folderByNamespace.ContainsValue(parent))
                {
                    graph.Add(folder, parent, new Evidence(folder, 0, "(parent namespace: visible without a using)"));
                }
            }
        }

        return graph;
    }

    private static string? Parent(string folder) => folder.LastIndexOf('/') is var i and > 0 ? folder[..i] : null;

    private void AddFolder(string folder)
    {
        _edges.TryAdd(folder, new SortedDictionary<string, List<Evidence>>(StringComparer.Ordinal));
    }

    private void Add(string from, string to, Evidence evidence)
    {
        if (from == to)
        {
            return;
        }

        AddFolder(from);
        AddFolder(to);
        if (!_edges[from].TryGetValue(to, out var list))
        {
            _edges[from][to] = list = [];
        }

        list.Add(evidence);
    }

    /// <summary>The strongly connected components with more than one folder (Tarjan): each holds at least one cycle.</summary>
    public IReadOnlyList<IReadOnlyList<string>> TangledComponents()
    {
        var index = 0;
        var indices = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<IReadOnlyList<string>>();

        void Connect(string v)
        {
            indices[v] = low[v] = index++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in DependenciesOf(v))
            {
                if (!indices.TryGetValue(w, out var wIndex))
                {
                    Connect(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], wIndex);
                }
            }

            if (low[v] == indices[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);

                if (component.Count > 1)
                {
                    component.Sort(StringComparer.Ordinal);
                    result.Add(component);
                }
            }
        }

        foreach (var folder in Folders)
        {
            if (!indices.ContainsKey(folder))
            {
                Connect(folder);
            }
        }

        return result;
    }

    /// <summary>
    /// Every elementary cycle, each as a path that starts and ends at its alphabetically first folder
    /// (A → B → A), up to <paramref name="limit"/> of them.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles(int limit, out bool truncated)
    {
        var cycles = new List<IReadOnlyList<string>>();
        var stopped = false;
        foreach (var component in TangledComponents())
        {
            var members = new HashSet<string>(component);
            // For each start folder, the cycles through it whose other folders all sort after it: each cycle once.
            foreach (var start in component)
            {
                var path = new List<string> { start };
                var onPath = new HashSet<string> { start };

                void Walk(string v)
                {
                    foreach (var w in DependenciesOf(v))
                    {
                        if (stopped || !members.Contains(w) || string.CompareOrdinal(w, start) < 0)
                        {
                            continue;
                        }

                        if (w == start)
                        {
                            cycles.Add([.. path, start]);
                            stopped = cycles.Count >= limit;
                        }
                        else if (onPath.Add(w))
                        {
                            path.Add(w);
                            Walk(w);
                            path.RemoveAt(path.Count - 1);
                            onPath.Remove(w);
                        }
                    }
                }

                Walk(start);
            }
        }

        truncated = stopped;
        return cycles;
    }

    /// <summary>A report a person can act on: each cycle as a path, then the evidence for every edge in a cycle.</summary>
    public string DescribeCycles(int limit = 500)
    {
        var cycles = Cycles(limit, out var truncated);
        if (cycles.Count == 0)
        {
            return "";
        }

        var text = new StringBuilder();
        var components = TangledComponents();
        text.Append(cycles.Count).Append(truncated ? "+" : "").Append(" dependency cycle(s) between folders of src/, in ")
            .Append(components.Count).Append(" tangle(s):\n");
        foreach (var component in components)
        {
            text.Append("  tangle: ").Append(string.Join(", ", component)).Append('\n');
        }

        text.Append("\nCycles:\n");
        foreach (var cycle in cycles)
        {
            text.Append("  ").Append(string.Join(" → ", cycle)).Append('\n');
        }

        if (truncated)
        {
            text.Append("  … (stopped after ").Append(limit).Append(" cycles)\n");
        }

        text.Append("\nWhere each dependency in a cycle comes from:\n");
        var edges = cycles.SelectMany(c => c.Zip(c.Skip(1))).Distinct().OrderBy(e => e.First, StringComparer.Ordinal).ThenBy(e => e.Second, StringComparer.Ordinal);
        foreach (var (from, to) in edges)
        {
            text.Append("  ").Append(from).Append(" → ").Append(to).Append('\n');
            foreach (var evidence in EvidenceFor(from, to))
            {
                text.Append("      ").Append(evidence).Append('\n');
            }
        }

        return text.ToString();
    }
}
