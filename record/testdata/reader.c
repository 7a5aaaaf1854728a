/* A C reader of strace.ebpf recordings built only on trace.h: prints the
 * header and one line per record, as TestTraceHReader's Go side does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace.h"

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, r;
	if (!f)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	size_t len, off;
	unsigned char *buf;
	const struct trace_file_header *h;

	if (argc != 2 || !(buf = slurp(argv[1], &len)))
		return 2;
	h = (const void *)buf;
	if (len < sizeof(*h) || memcmp(h->magic, TRACE_MAGIC, TRACE_MAGIC_LEN) ||
	    h->version > TRACE_VERSION || h->header_size > len)
		return 3;
	printf("boot %llu audit %#x\n", (unsigned long long)h->boot_offset_ns, h->audit_arch);
	for (off = sizeof(*h); off < h->header_size;) {
		const struct trace_meta *m = (const void *)(buf + off);
		const char *p = (const char *)(m + 1);
		if (m->type == TRACE_META_ARCH)
			printf("arch %.*s\n", (int)m->len, p);
		if (m->type == TRACE_META_SYSCALL) {
			const struct trace_meta_syscall *s = (const void *)p;
			const char *w = (const char *)(s + 1);
			int i;
			printf("table %d %s", s->nr, w);
			w += strlen(w) + 1;
			for (i = 0; i < s->nargs; i++) {
				printf(" %s", w);
				w += strlen(w) + 1;
				w += strlen(w) + 1;
			}
			printf("\n");
		}
		off += sizeof(*m) + TRACE_PAD8(m->len);
	}
	for (off = h->header_size; off + sizeof(struct trace_record) <= len;) {
		const struct trace_record *r = (const void *)(buf + off);
		if (r->size < sizeof(*r) || off + r->size > len)
			return 4;
		if (r->kind == TRACE_SYSCALL || r->kind == TRACE_EXIT || r->kind == TRACE_SIGNAL) {
			const struct trace_syscall *s = (const void *)r;
			const unsigned char *d = (const void *)(s + 1);
			int i;
			printf("%s %d pid %u tid %u comm %.*s ret %lld flags %u",
			       r->kind == TRACE_SYSCALL ? "syscall" : r->kind == TRACE_EXIT ? "exit" : "signal", s->nr, s->pid, s->tid,
			       (int)TRACE_COMM_LEN, s->comm, (long long)s->ret, s->flags);
			for (i = 0; i < s->ndata; i++) {
				const struct trace_data *dd = (const void *)d;
				if (dd->kind == TRACE_DATA_STACK) {
					const struct trace_stack *st = (const void *)(dd + 1);
					const unsigned char *f = (const void *)(st + 1);
					unsigned j;
					for (j = 0; j < st->nframes; j++) {
						const struct trace_frame *fr = (const void *)f;
						const char *names = (const char *)(fr + 1);
						printf(" frame %.*s(%.*s+%#llx) [%#llx]", (int)fr->module_len, names,
						       (int)fr->symbol_len, names + fr->module_len,
						       (unsigned long long)fr->symoff, (unsigned long long)fr->offset);
						f += TRACE_PAD8(sizeof(*fr) + fr->module_len + fr->symbol_len);
					}
				} else {
					printf(" data %u/%u/%u", dd->arg, dd->kind, dd->len);
				}
				d += sizeof(*dd) + TRACE_PAD8(dd->len);
			}
			printf("\n");
		} else if (r->kind == TRACE_LOST) {
			printf("lost %llu\n", (unsigned long long)((const struct trace_lost *)r)->n);
		} else if (r->kind == TRACE_END) {
			printf("end %llu\n", (unsigned long long)((const struct trace_end *)r)->records);
		}
		off += r->size;
	}
	return 0;
}
