namespace NetBoot.Wire.Dhcp;

/// <summary>Where the encoder puts the options: which are kept (all up to <see cref="Cutoff"/>, plus 53 and 54
/// unless even they do not fit) and whether they may continue in <c>file</c>/<c>sname</c>. One routine both measures
/// and writes a layout, so what was measured is what is written; it allocates nothing.</summary>
internal readonly record struct OptionLayout(int Cutoff, bool KeepsEssential, bool UsesOverload, int Maximum)
{
    public const int OverloadBootFile = 1;
    public const int OverloadServerName = 2;

    private const int OptionsOffset = DhcpMessage.FixedHeaderLength + 4;
    private const int OverloadOptionLength = 3;
    private const int MaximumInstanceLength = 255;

    /// <summary>No options at all (plain BOOTP).</summary>
    public static readonly OptionLayout None = new(0, false, false, 0);

    /// <summary>The layout keeping the most options from the front of the list: without overload if that fits,
    /// else with it when allowed; options are dropped from the end, 53 and 54 last of all.</summary>
    public static OptionLayout Choose(DhcpOptionList list, int maximum, bool canOverload)
    {
        for (var cutoff = list.Count; cutoff >= 0; cutoff--)
        {
            var plain = new OptionLayout(cutoff, true, false, maximum);
            if (plain.Place(list, [], out _, out _))
            {
                return plain;
            }
            var overloaded = plain with { UsesOverload = true };
            if (canOverload && overloaded.Place(list, [], out _, out _))
            {
                return overloaded;
            }
        }
        return new OptionLayout(0, false, false, maximum);
    }

    /// <summary>Writes the options after the cookie; returns the length up to the END of the options area, and option 52's value (0 when not overloaded).</summary>
    public (int End, int Overload) Write(DhcpOptionList list, Span<byte> message)
    {
        if (!Place(list, message, out var end, out var overload))
        {
            throw new InvalidOperationException("The chosen option layout no longer fits");
        }
        return (end, overload);
    }

    /// <summary>The codes left out, in list order; an empty array (no allocation) when none.</summary>
    public IReadOnlyList<DhcpOptionCode> Dropped(DhcpOptionList list)
    {
        var count = 0;
        for (var i = 0; i < list.Count; i++)
        {
            count += IsDropped(list, i) ? 1 : 0;
        }
        if (count == 0)
        {
            return [];
        }
        var dropped = new DhcpOptionCode[count];
        var next = 0;
        for (var i = 0; i < list.Count; i++)
        {
            if (IsDropped(list, i))
            {
                dropped[next++] = list[i].Code;
            }
        }
        return dropped;
    }

    private bool IsDropped(DhcpOptionList list, int index) =>
        list[index].Code != DhcpOptionCode.OptionOverload && !IsKept(list, index);

    private bool IsKept(DhcpOptionList list, int index)
    {
        var code = list[index].Code;
        if (code is DhcpOptionCode.Pad or DhcpOptionCode.End or DhcpOptionCode.OptionOverload)
        {
            return false;
        }
        return index < Cutoff || (KeepsEssential && code is DhcpOptionCode.DhcpMessageType or DhcpOptionCode.ServerIdentifier);
    }

    /// <summary>Places every kept option, instance by instance, in the options area, then <c>file</c>, then <c>sname</c>
    /// (RFC 3396 aggregate order). Writes only when <paramref name="message"/> is not empty.</summary>
    private bool Place(DhcpOptionList list, Span<byte> message, out int end, out int overload)
    {
        var writing = !message.IsEmpty;
        var areas = new Areas(this);
        for (var i = 0; i < list.Count; i++)
        {
            if (!IsKept(list, i))
            {
                continue;
            }
            var option = list[i];
            var data = option.Data.AsSpan();
            // RFC 3396: longer than 255 → consecutive instances of the same code; empty → one instance.
            do
            {
                var chunk = data[..Math.Min(data.Length, MaximumInstanceLength)];
                if (!areas.TryReserve(2 + chunk.Length, out var at))
                {
                    end = overload = 0;
                    return false;
                }
                if (writing)
                {
                    message[at] = (byte)option.Code;
                    message[at + 1] = (byte)chunk.Length;
                    chunk.CopyTo(message[(at + 2)..]);
                }
                data = data[chunk.Length..];
            }
            while (!data.IsEmpty);
        }
        overload = areas.OverloadValue;
        end = areas.MainEnd + 1;
        if (writing)
        {
            areas.WriteEnds(message);
        }
        return true;
    }

    /// <summary>The three areas of the aggregate buffer, each keeping one byte for its END.</summary>
    private ref struct Areas
    {
        private const int BootFileStart = 108;
        private const int BootFileLimit = BootFileStart + 128 - 1;
        private const int ServerNameStart = 44;
        private const int ServerNameLimit = ServerNameStart + 64 - 1;

        private readonly int _mainStart;
        private readonly int _mainLimit;
        private readonly int _lastArea;
        private int _area;
        private int _position;
        private int _fileEnd;
        private int _serverNameEnd;

        public Areas(OptionLayout layout)
        {
            _mainStart = OptionsOffset + (layout.UsesOverload ? OverloadOptionLength : 0);
            _mainLimit = layout.Maximum - 1;
            _lastArea = layout.UsesOverload ? 2 : 0;
            _area = 0;
            _position = _mainStart;
            MainEnd = _mainStart;
            _fileEnd = BootFileStart;
            _serverNameEnd = ServerNameStart;
        }

        public int MainEnd { get; private set; }

        public readonly int OverloadValue =>
            _lastArea == 0 ? 0 : (_fileEnd > BootFileStart ? OverloadBootFile : 0) | (_serverNameEnd > ServerNameStart ? OverloadServerName : 0);

        public bool TryReserve(int length, out int at)
        {
            while (_position + length > Limit(_area))
            {
                if (_area == _lastArea)
                {
                    at = 0;
                    return false;
                }
                _area++;
                _position = _area == 1 ? BootFileStart : ServerNameStart;
            }
            at = _position;
            _position += length;
            switch (_area)
            {
                case 0: MainEnd = _position; break;
                case 1: _fileEnd = _position; break;
                default: _serverNameEnd = _position; break;
            }
            return true;
        }

        /// <summary>RFC 2132 §9.3: option 52 in the options area; END closes every area in use.</summary>
        public readonly void WriteEnds(Span<byte> message)
        {
            message[MainEnd] = (byte)DhcpOptionCode.End;
            if (_lastArea == 0)
            {
                return;
            }
            message[OptionsOffset] = (byte)DhcpOptionCode.OptionOverload;
            message[OptionsOffset + 1] = 1;
            message[OptionsOffset + 2] = (byte)OverloadValue;
            if ((OverloadValue & OverloadBootFile) != 0)
            {
                message[_fileEnd] = (byte)DhcpOptionCode.End;
            }
            if ((OverloadValue & OverloadServerName) != 0)
            {
                message[_serverNameEnd] = (byte)DhcpOptionCode.End;
            }
        }

        private readonly int Limit(int area) => area switch
        {
            0 => _mainLimit,
            1 => BootFileLimit,
            _ => ServerNameLimit,
        };
    }
}
