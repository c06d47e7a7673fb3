using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ImpVpn.Architecture.Tests;

/// <summary>Each role's contract type owns its state transitions: nothing but the type itself assigns its
/// <c>State</c>, so what may follow what is read in one file.</summary>
public sealed class StateTransitionTests
{
    private static readonly (string Type, string File)[] Owners =
    [
        ("BoughtContractState", "src/ImpVpn.Core/Buying/BoughtContract.cs"),
        ("SoldContractState", "src/ImpVpn.Core/Selling/SoldContract.cs"),
    ];

    [Fact]
    public void Only_the_contract_types_assign_a_contract_state()
    {
        var offenders = new List<string>();
        var seen = Owners.ToDictionary(o => o.Type, _ => 0);
        foreach (var file in SourceTree.Instance.Files)
        {
            foreach (var assignment in file.Root.DescendantNodes().OfType<AssignmentExpressionSyntax>())
            {
                var target = assignment.Left switch
                {
                    IdentifierNameSyntax name => name.Identifier.Text,
                    MemberAccessExpressionSyntax access => access.Name.Identifier.Text,
                    _ => null,
                };
                var value = assignment.Right.ToString();
                if (target != "State" || Owners.FirstOrDefault(o => value.StartsWith(o.Type + ".", StringComparison.Ordinal)) is not { Type: not null } owner)
                {
                    continue;
                }

                seen[owner.Type]++;
                if (file.Path != owner.File)
                {
                    offenders.Add($"{file.Path}:{assignment.GetLocation().GetLineSpan().StartLinePosition.Line + 1}: {assignment}");
                }
            }
        }

        // The rule must see the assignments it guards, or it could pass by reading nothing.
        Assert.All(Owners, o => Assert.True(seen[o.Type] > 0, $"{o.File} assigns no {o.Type}: has the state moved?"));
        Assert.True(offenders.Count == 0, "\nA contract's state is assigned outside its type:\n  " + string.Join("\n  ", offenders));
    }
}
