using Etcd.Raft.Quorum;

namespace Etcd.Raft.Tests.Components;

public sealed class QuorumTests
{
    private readonly struct Acks(Dictionary<ulong, ulong> acked) : IAckedIndexer
    {
        public bool TryGetAckedIndex(ulong voterId, out ulong index) => acked.TryGetValue(voterId, out index);
    }

    [Theory]
    [InlineData(new ulong[] { 1 }, new ulong[] { 5 }, 5UL)]
    [InlineData(new ulong[] { 1, 2, 3 }, new ulong[] { 5, 3, 1 }, 3UL)]
    [InlineData(new ulong[] { 1, 2, 3, 4 }, new ulong[] { 5, 3, 1, 9 }, 3UL)]
    [InlineData(new ulong[] { 1, 2, 3, 4, 5 }, new ulong[] { 5, 3, 1, 9, 2 }, 3UL)]
    public void TheCommittedIndexIsTheHighestIndexAMajorityHas(ulong[] voters, ulong[] acked, ulong expected)
    {
        var acks = new Dictionary<ulong, ulong>();
        for (int i = 0; i < voters.Length; i++)
        {
            acks[voters[i]] = acked[i];
        }

        Assert.Equal(expected, MajorityQuorum.CommittedIndex(IdSet.Of(voters), new Acks(acks)));
    }

    [Fact]
    public void VotersWithoutAnAcknowledgementCountAsZero()
    {
        var acks = new Dictionary<ulong, ulong> { [1] = 7 };
        Assert.Equal(0UL, MajorityQuorum.CommittedIndex(IdSet.Of(1, 2, 3), new Acks(acks)));
    }

    [Fact]
    public void AJointConfigurationCommitsTheMinimumOfBothHalves()
    {
        var acks = new Dictionary<ulong, ulong> { [1] = 9, [2] = 9, [3] = 1, [4] = 2, [5] = 2 };
        var joint = new JointConfig(IdSet.Of(1, 2, 3), IdSet.Of(3, 4, 5));
        Assert.Equal(2UL, joint.CommittedIndex(new Acks(acks)));

        // An empty outgoing half does not constrain.
        Assert.Equal(9UL, new JointConfig(IdSet.Of(1, 2, 3), IdSet.Empty).CommittedIndex(new Acks(acks)));
    }

    [Fact]
    public void VotesAreWonLostOrPending()
    {
        var voters = IdSet.Of(1, 2, 3);
        Assert.Equal(VoteResult.Pending, MajorityQuorum.Tally(voters, new Dictionary<ulong, bool> { [1] = true }));
        Assert.Equal(VoteResult.Won, MajorityQuorum.Tally(voters, new Dictionary<ulong, bool> { [1] = true, [2] = true }));
        Assert.Equal(VoteResult.Lost, MajorityQuorum.Tally(voters, new Dictionary<ulong, bool> { [1] = false, [2] = false }));
        Assert.Equal(VoteResult.Won, MajorityQuorum.Tally(IdSet.Empty, new Dictionary<ulong, bool>()));
    }

    [Fact]
    public void AJointVoteNeedsBothHalves()
    {
        var joint = new JointConfig(IdSet.Of(1, 2, 3), IdSet.Of(4, 5, 6));
        Assert.Equal(VoteResult.Pending, joint.Tally(new Dictionary<ulong, bool> { [1] = true, [2] = true }));
        Assert.Equal(VoteResult.Won, joint.Tally(new Dictionary<ulong, bool> { [1] = true, [2] = true, [4] = true, [5] = true }));
        Assert.Equal(VoteResult.Lost, joint.Tally(new Dictionary<ulong, bool> { [1] = true, [2] = true, [4] = false, [5] = false }));
    }

    [Fact]
    public void IdSetsStaySortedAndImmutable()
    {
        var set = IdSet.Of(3, 1);
        var more = set.With(2).With(5);
        Assert.Equal("(1 3)", set.ToString());
        Assert.Equal("(1 2 3 5)", more.ToString());
        Assert.Equal("(1 5)", more.Without(2).Without(3).ToString());
        Assert.True(more.Contains(5));
        Assert.Equal(IdSet.Of(1, 2, 3, 5), more);
    }
}
