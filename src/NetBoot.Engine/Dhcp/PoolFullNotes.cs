using System.Collections.Immutable;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Dhcp;

/// <summary>What the allocator learned: the dynamic range <see cref="Start"/>–<see cref="End"/> had no address for a new
/// client answered as <see cref="Server"/>, with the lease table at <see cref="TableVersion"/>, and stays full until
/// <see cref="Until"/> (when its first holder's lease ends) unless the table changes.</summary>
public readonly record struct PoolFull(IPv4Address Start, IPv4Address End, IPv4Address Server, long TableVersion, DateTimeOffset Until);

/// <summary>The pool-full notes the host keeps between decisions, for one configuration generation: without them a full
/// pool costs a scan of the whole range for every DISCOVER, which a flood of new clients turns into a CPU exhaustion.
/// Immutable: the engine reads them as an input and returns new ones in <see cref="Leases.DhcpOutcome.PoolFull"/>; the
/// host records those (<see cref="With"/>).</summary>
public sealed class PoolFullNotes
{
    public static readonly PoolFullNotes None = new(0, []);

    private PoolFullNotes(long generation, ImmutableArray<PoolFull> notes)
    {
        Generation = generation;
        Notes = notes;
    }

    /// <summary>The configuration generation the notes were learned under; a reload starts afresh.</summary>
    public long Generation { get; }

    public ImmutableArray<PoolFull> Notes { get; }

    /// <summary>These notes when they belong to <paramref name="generation"/>, else none.</summary>
    public PoolFullNotes For(long generation) => generation == Generation ? this : new(generation, []);

    /// <summary>Until when the range is full for a new client of <paramref name="server"/>, as long as the table is still
    /// at <paramref name="tableVersion"/>; null without such a note (or when the view has no version).</summary>
    public DateTimeOffset? FullUntil(IPv4Address start, IPv4Address end, IPv4Address server, long? tableVersion)
    {
        if (tableVersion is not { } version)
        {
            return null;
        }
        foreach (var note in Notes)
        {
            if (note.Start == start && note.End == end && note.Server == server && note.TableVersion == version)
            {
                return note.Until;
            }
        }
        return null;
    }

    /// <summary>These notes with <paramref name="learned"/> recorded under <paramref name="generation"/> (one note per
    /// range: a newer note replaces the range's older one).</summary>
    public PoolFullNotes With(long generation, ImmutableArray<PoolFull> learned)
    {
        var current = For(generation);
        if (learned.IsDefaultOrEmpty)
        {
            return current;
        }
        var notes = current.Notes.ToBuilder();
        foreach (var note in learned)
        {
            notes.RemoveAll(n => n.Start == note.Start && n.End == note.End);
            notes.Add(note);
        }
        return new(generation, notes.ToImmutable());
    }
}
