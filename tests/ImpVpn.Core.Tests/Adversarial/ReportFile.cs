namespace ImpVpn.Core.Tests.Adversarial;

/// <summary>Where the adversarial reports go: <c>out/adversarial/&lt;name&gt;.md</c> under the repository (the
/// closing notes quote them), or the temporary folder when the tests run outside a checkout.</summary>
internal static class ReportFile
{
    /// <summary>Writes <paramref name="markdown"/> as the report <paramref name="name"/>; returns its path.</summary>
    public static string Write(string name, string markdown)
    {
        var folder = Path.Combine(RepositoryRoot(), "out", "adversarial");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name + ".md");
        File.WriteAllText(path, markdown);
        return path;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ImpVpn.psd1")))
            {
                return folder.FullName;
            }
        }

        return Path.GetTempPath();
    }
}
