/* A floor for the TFTP storm, not a server to use: the least a lock-step TFTP server can do per block.
 *
 * bench/tftp/run.sh and cpu.sh build it (gcc -O2 -pthread) and run it like the other servers. It answers a read
 * request with the file of that name in its folder (mapped into memory once; no path checks: a plain name is expected),
 * grants blksize (at most 1468) and tsize and nothing else, and then, on one thread per transfer blocked in recvfrom on that transfer's own socket (NetBoot's default
 * design, the fastest one measured here), sends each DATA straight from memory. No path checks, no logging, no
 * option checks, no retransmission beyond a plain resend after a second of silence, no windowsize.
 * What it costs per block is the kernel's datagram path and the wake-ups, which every lock-step server pays: its
 * storm time is what the machine allows, whatever the server's design.
 *
 *   floor ADDRESS DIR       e.g. floor 10.79.0.2 /tmp/root
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <fcntl.h>
#include <unistd.h>

static int root;
static struct in_addr local_address;

struct request { struct sockaddr_in client; int blksize; char name[256]; };

/* Each file is mapped once, on its first request, and stays mapped: a storm reads one mapping. */
static struct { char name[256]; const unsigned char *data; size_t size; } files[16];
static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;

static const unsigned char *mapped(const char *name, size_t *size)
{
    const unsigned char *data = NULL;
    pthread_mutex_lock(&files_lock);
    for (int i = 0; i < 16; i++) {
        if (files[i].data && strcmp(files[i].name, name) == 0) { data = files[i].data; *size = files[i].size; break; }
        if (!files[i].data) {
            int fd = openat(root, name, O_RDONLY);
            struct stat st;
            if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0) {
                void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
                if (p != MAP_FAILED) {
                    snprintf(files[i].name, sizeof files[i].name, "%s", name);
                    files[i].data = data = p;
                    files[i].size = *size = (size_t)st.st_size;
                }
            }
            if (fd >= 0) close(fd);
            break;
        }
    }
    pthread_mutex_unlock(&files_lock);
    return data;
}

static int option_blksize(const unsigned char *p, ssize_t n)
{
    /* RRQ: opcode, filename NUL, mode NUL, then name NUL value NUL pairs. */
    const unsigned char *end = p + n, *s = p + 2;
    int fields = 0, blksize = 512;
    const char *name = NULL;
    while (s < end) {
        const unsigned char *z = memchr(s, 0, (size_t)(end - s));
        if (!z) break;
        if (fields >= 2) {
            if ((fields & 1) == 0) name = (const char *)s;
            else if (name && strcasecmp(name, "blksize") == 0) blksize = atoi((const char *)s);
        }
        fields++;
        s = z + 1;
    }
    if (blksize > 1468) blksize = 1468;
    if (blksize < 8) blksize = 512;
    return blksize;
}

static void *transfer(void *arg)
{
    struct request r = *(struct request *)arg;
    free(arg);
    size_t file_size;
    const unsigned char *file_data = mapped(r.name, &file_size);
    if (!file_data) return NULL;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in me = { .sin_family = AF_INET, .sin_addr = local_address };
    if (s < 0 || bind(s, (struct sockaddr *)&me, sizeof me) < 0) { if (s >= 0) close(s); return NULL; }
    struct timeval tv = { .tv_sec = 1 };
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

    unsigned char packet[512], header[4], ack[516];
    struct iovec parts[2] = { { header, 4 }, { NULL, 0 } };
    struct msghdr message = { .msg_name = &r.client, .msg_namelen = sizeof r.client, .msg_iov = parts };
    /* OACK: blksize and tsize, always granted. */
    int n = 2;
    packet[0] = 0; packet[1] = 6;
    n += sprintf((char *)packet + n, "blksize") + 1;
    n += sprintf((char *)packet + n, "%d", r.blksize) + 1;
    n += sprintf((char *)packet + n, "tsize") + 1;
    n += sprintf((char *)packet + n, "%zu", file_size) + 1;
    size_t blocks = file_size / (size_t)r.blksize + 1;
    size_t next = 0; /* the block sent last: 0 = the OACK */
    int retries = 0;
    for (;;) {
        if (next == 0) sendto(s, packet, (size_t)n, 0, (struct sockaddr *)&r.client, sizeof r.client);
        else sendmsg(s, &message, 0);
        ssize_t got = recv(s, ack, sizeof ack, 0);
        if (got < 0) { if (++retries > 5) break; continue; }
        if (got < 4 || ack[1] != 4) { if (got >= 2 && ack[1] == 5) break; continue; }
        uint16_t acked = (uint16_t)(ack[2] << 8 | ack[3]);
        if (acked != (uint16_t)next) continue; /* a duplicate: wait for the right one */
        retries = 0;
        if (next == blocks) break;
        next++;
        size_t offset = (next - 1) * (size_t)r.blksize;
        size_t size = file_size - offset < (size_t)r.blksize ? file_size - offset : (size_t)r.blksize;
        /* DATA: the 4-byte header and the block straight from the mapped file, no copy. */
        header[0] = 0; header[1] = 3; header[2] = (unsigned char)(next >> 8); header[3] = (unsigned char)next;
        parts[1].iov_base = (void *)(file_data + offset);
        parts[1].iov_len = size;
        message.msg_iovlen = 2;
    }
    close(s);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: floor ADDRESS DIR\n"); return 2; }
    if (inet_pton(AF_INET, argv[1], &local_address) != 1) { fprintf(stderr, "floor: bad address %s\n", argv[1]); return 2; }
    root = open(argv[2], O_RDONLY | O_DIRECTORY);
    if (root < 0) { perror(argv[2]); return 2; }

    int listener = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = htons(69), .sin_addr = local_address };
    int size = 4 << 20;
    setsockopt(listener, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
    if (bind(listener, (struct sockaddr *)&any, sizeof any) < 0) { perror("bind 69"); return 2; }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 << 10);
    for (;;) {
        unsigned char rrq[516];
        struct request *r = malloc(sizeof *r);
        socklen_t len = sizeof r->client;
        ssize_t got = recvfrom(listener, rrq, sizeof rrq, 0, (struct sockaddr *)&r->client, &len);
        if (got < 4 || rrq[1] != 1) { free(r); continue; }
        r->blksize = option_blksize(rrq, got);
        size_t name = strnlen((const char *)rrq + 2, (size_t)got - 2);
        if (name == 0 || name >= sizeof r->name || name == (size_t)got - 2) { free(r); continue; }
        memcpy(r->name, rrq + 2, name);
        r->name[name] = 0;
        pthread_t thread;
        if (pthread_create(&thread, &attr, transfer, r) != 0) free(r);
    }
}
