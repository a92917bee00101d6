namespace NetBoot.Leases.Postgres;

/// <summary>The shared database refused a change because another server's client holds the address: the reply that
/// waited on it (an ACK) must not be sent.</summary>
public sealed class LeaseConflictException : Exception
{
    public LeaseConflictException()
    {
    }

    public LeaseConflictException(string message) : base(message)
    {
    }

    public LeaseConflictException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
