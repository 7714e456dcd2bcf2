using Etcd.Server.Authentication;
using Etcd.Server.Tests.Leases;

namespace Etcd.Server.Tests.Authentication;

public sealed class SimpleTokensTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public void ATokenIsSixteenLettersADotAndTheIndexOfItsEntry()
    {
        var prefix = SimpleTokens.NewPrefix();
        Assert.Matches("^[a-zA-Z]{16}$", prefix);
        var token = SimpleTokens.Format(prefix, 42);
        Assert.Equal(prefix + ".42", token);
        Assert.Equal(42UL, SimpleTokens.IndexOf(token));
        Assert.Null(SimpleTokens.IndexOf("noindex"));
        Assert.Null(SimpleTokens.IndexOf("a.b"));
        Assert.Null(SimpleTokens.IndexOf("a.1.2"));
    }

    [Fact]
    public void ATokenExpiresTtlAfterItsLastUse()
    {
        var tokens = new SimpleTokens(_clock, TimeSpan.FromSeconds(10));
        tokens.Assign("t.1", "alice");
        _clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal("alice", tokens.Use("t.1"));
        // The use above started its life over.
        _clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal("alice", tokens.Use("t.1"));
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(tokens.Use("t.1"));
        Assert.Equal(0, tokens.Count);
    }

    [Fact]
    public void ExpiredTokensAreDroppedWhenANewOneIsInstalled()
    {
        var tokens = new SimpleTokens(_clock, TimeSpan.FromSeconds(10));
        tokens.Assign("a.1", "alice");
        tokens.Assign("b.2", "bob");
        _clock.Advance(TimeSpan.FromSeconds(11));
        tokens.Assign("c.3", "carol");
        Assert.Equal(1, tokens.Count);
    }

    [Fact]
    public void InvalidatingAUserForgetsOnlyItsTokens()
    {
        var tokens = new SimpleTokens(_clock, TimeSpan.FromSeconds(10));
        tokens.Assign("a.1", "alice");
        tokens.Assign("a.2", "alice");
        tokens.Assign("b.3", "bob");
        tokens.InvalidateUser("alice");
        Assert.Null(tokens.Use("a.1"));
        Assert.Null(tokens.Use("a.2"));
        Assert.Equal("bob", tokens.Use("b.3"));
    }
}
