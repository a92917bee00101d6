using System.Diagnostics.CodeAnalysis;

namespace NetBoot.Engine.Limits;

/// <summary>A table of at most <see cref="Capacity"/> entries that forgets the least recently used one to make room: the
/// shape of every per-client structure that a client's packets fill (rate buckets, the boot tracker, log limiters), so
/// a flood of new keys only churns through it and never grows memory. Every operation is O(1): a dictionary from key
/// to slot, and the slots linked from newest to oldest in preallocated arrays (no allocation once the table is full,
/// beyond the dictionary's own). Not thread-safe: one owner, or behind its owner's lock.</summary>
public sealed class LruTable<TKey, TValue> where TKey : notnull
{
    private const int None = -1;

    private readonly Dictionary<TKey, int> _slots;
    private readonly TKey[] _keys;
    private readonly TValue[] _values;
    private readonly int[] _older;
    private readonly int[] _newer;
    private int _newest = None;
    private int _oldest = None;
    private int _free = None;
    private int _used;

    public LruTable(int capacity, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _slots = new Dictionary<TKey, int>(capacity, comparer);
        _keys = new TKey[capacity];
        _values = new TValue[capacity];
        _older = new int[capacity];
        _newer = new int[capacity];
    }

    public int Capacity { get; }

    public int Count => _slots.Count;

    /// <summary>The value of <paramref name="key"/>, without making it more recent.</summary>
    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        if (_slots.TryGetValue(key, out var slot))
        {
            value = _values[slot];
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/> and makes it the most recent. When the key is new
    /// and the table is full, the least recently used entry is removed first and returned in <paramref name="evicted"/>
    /// (so its owner can drop what pointed at it); true then.</summary>
    public bool Set(TKey key, TValue value, out KeyValuePair<TKey, TValue> evicted)
    {
        evicted = default;
        if (_slots.TryGetValue(key, out var slot))
        {
            _values[slot] = value;
            MoveToNewest(slot);
            return false;
        }
        var evicting = _slots.Count == Capacity;
        if (evicting)
        {
            var oldest = _oldest;
            evicted = new KeyValuePair<TKey, TValue>(_keys[oldest], _values[oldest]);
            Remove(_keys[oldest]);
        }
        slot = Allocate();
        _keys[slot] = key;
        _values[slot] = value;
        _slots[key] = slot;
        LinkNewest(slot);
        return evicting;
    }

    /// <summary>Sets <paramref name="key"/> (see <see cref="Set(TKey, TValue, out KeyValuePair{TKey, TValue})"/>) when
    /// nobody needs to hear of the entry that made room.</summary>
    public void Set(TKey key, TValue value) => Set(key, value, out _);

    public bool Remove(TKey key)
    {
        if (!_slots.Remove(key, out var slot))
        {
            return false;
        }
        Unlink(slot);
        _keys[slot] = default!;
        _values[slot] = default!;
        _older[slot] = _free;
        _free = slot;
        return true;
    }

    /// <summary>The least recently used entry (the next to go), when there is one.</summary>
    public bool TryPeekOldest(out TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        if (_oldest == None)
        {
            key = default!;
            value = default;
            return false;
        }
        key = _keys[_oldest];
        value = _values[_oldest];
        return true;
    }

    /// <summary>The entries from the most to the least recently used (for snapshots; not while changing the table).</summary>
    public IEnumerable<KeyValuePair<TKey, TValue>> NewestFirst()
    {
        for (var slot = _newest; slot != None; slot = _older[slot])
        {
            yield return new KeyValuePair<TKey, TValue>(_keys[slot], _values[slot]);
        }
    }

    private int Allocate()
    {
        if (_free != None)
        {
            var slot = _free;
            _free = _older[slot];
            return slot;
        }
        return _used++;
    }

    private void MoveToNewest(int slot)
    {
        if (slot == _newest)
        {
            return;
        }
        Unlink(slot);
        LinkNewest(slot);
    }

    private void LinkNewest(int slot)
    {
        _older[slot] = _newest;
        _newer[slot] = None;
        if (_newest != None)
        {
            _newer[_newest] = slot;
        }
        _newest = slot;
        if (_oldest == None)
        {
            _oldest = slot;
        }
    }

    private void Unlink(int slot)
    {
        var older = _older[slot];
        var newer = _newer[slot];
        if (newer != None)
        {
            _older[newer] = older;
        }
        else
        {
            _newest = older;
        }
        if (older != None)
        {
            _newer[older] = newer;
        }
        else
        {
            _oldest = newer;
        }
    }
}
