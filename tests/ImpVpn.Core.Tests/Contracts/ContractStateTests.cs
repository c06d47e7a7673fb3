using ImpVpn.Core.Contracts;

namespace ImpVpn.Core.Tests.Contracts;

public sealed class ContractStateTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static ContractRecord Contract(ContractState state, DateTimeOffset? expires) =>
        new() { Id = "c1", Role = ContractRole.Buyer, PeerPubKey = "02" + new string('a', 64), State = state, ExpiresAt = expires };

    [Fact]
    public void An_active_contract_whose_time_has_run_out_reads_as_expired_and_no_other_state_changes()
    {
        Assert.Equal(ContractState.Active, Contract(ContractState.Active, Now.AddSeconds(1)).StateAt(Now));
        Assert.Equal(ContractState.Expired, Contract(ContractState.Active, Now).StateAt(Now));
        Assert.Equal(ContractState.Expired, Contract(ContractState.Active, Now.AddHours(-1)).StateAt(Now));
        Assert.Equal(ContractState.Paying, Contract(ContractState.Paying, null).StateAt(Now));
        Assert.Equal(ContractState.Cancelled, Contract(ContractState.Cancelled, Now.AddHours(-1)).StateAt(Now));
    }
}
