/*
 * parley_udp: batched UDP system calls for rendezvous/net/udp.ts (Linux only).
 *
 * Node 20's node:dgram makes one sendmsg(2) per datagram and one recvmsg(2) plus one call into
 * JavaScript per received datagram. On loopback, where the sender's sendmsg also runs the
 * receive path, that is ~5 µs per 1200-byte datagram on each side (docs/DECISIONS.md
 * "Socket layer"). This addon works on the file descriptor of the socket node:dgram bound:
 *
 *   sendBatch   one sendmmsg(2) for a whole batch; runs of equal-sized datagrams to one
 *               destination go as one message with UDP_SEGMENT (UDP GSO, Linux 4.18): the
 *               kernel cuts it into the same datagrams, so the wire is unchanged.
 *   startReceive polls a dup(2) of the descriptor with uv_poll (libuv already watches the
 *               original for the dgram handle, whose reading the caller stops) and reads with
 *               recvmmsg(2); with UDP_GRO (Linux 5.0) a message may hold several datagrams of
 *               `segment` bytes each (the last may be shorter). One call into JavaScript per
 *               batch.
 *
 * No state is shared with libuv: the socket is non-blocking (libuv set O_NONBLOCK), EAGAIN is
 * reported to the caller, who sends the rest through node:dgram (libuv's send queue) and sends
 * natively again only once that queue is empty, so datagrams keep their order.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

#define SEND_BATCH_MAX 256   /* datagrams per sendBatch call */
#define GSO_SEGMENTS_MAX 64  /* UDP_MAX_SEGMENTS on older kernels */
#define GSO_BYTES_MAX 65507  /* one IPv4 UDP datagram's payload: the GSO message's limit */
#define RECEIVE_BATCH_MAX 64
#define RECEIVE_ROUNDS_MAX 4 /* recvmmsg calls per readable event before yielding to the loop */

#define CHECK(env, call)                                 \
  do {                                                   \
    if ((call) != napi_ok) {                             \
      napi_throw_error((env), "PARLEY_UDP", #call);      \
      return NULL;                                       \
    }                                                    \
  } while (0)

static napi_value int32_value(napi_env env, int32_t value) {
  napi_value out;
  napi_create_int32(env, value, &out);
  return out;
}

/* The first argument of a one-argument call, a descriptor: 0, or -1 with a JavaScript error thrown. */
static int fd_argument(napi_env env, napi_callback_info info, int32_t *fd) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_int32(env, argv[0], fd) != napi_ok) {
    napi_throw_type_error(env, "PARLEY_UDP", "expected a file descriptor");
    return -1;
  }
  return 0;
}

static napi_value undefined_value(napi_env env) {
  napi_value out;
  napi_get_undefined(env, &out);
  return out;
}

/* sockaddr(host, port): the sockaddr_in / sockaddr_in6 bytes for an IP literal, or undefined. */
static napi_value make_sockaddr(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char host[INET6_ADDRSTRLEN + 1];
  size_t host_length;
  int32_t port;
  CHECK(env, napi_get_value_string_utf8(env, argv[0], host, sizeof host, &host_length));
  CHECK(env, napi_get_value_int32(env, argv[1], &port));
  if (port <= 0 || port > 65535) return undefined_value(env);
  struct sockaddr_storage storage;
  memset(&storage, 0, sizeof storage);
  struct sockaddr_in *v4 = (struct sockaddr_in *)&storage;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&storage;
  size_t size;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    size = sizeof *v4;
  } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    size = sizeof *v6;
  } else {
    return undefined_value(env);
  }
  napi_value buffer, array;
  void *data;
  CHECK(env, napi_create_arraybuffer(env, size, &data, &buffer));
  memcpy(data, &storage, size);
  CHECK(env, napi_create_typedarray(env, napi_uint8_array, size, buffer, 0, &array));
  return array;
}

/* localPort(fd): the port the descriptor is bound to, or -errno (checks the fd is the socket). */
static napi_value local_port(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (fd_argument(env, info, &fd) != 0) return NULL;
  struct sockaddr_storage storage;
  socklen_t size = sizeof storage;
  int type = 0;
  socklen_t type_size = sizeof type;
  if (getsockname(fd, (struct sockaddr *)&storage, &size) != 0) return int32_value(env, -errno);
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_size) != 0) return int32_value(env, -errno);
  if (type != SOCK_DGRAM) return int32_value(env, -ENOTSOCK);
  if (storage.ss_family == AF_INET) return int32_value(env, ntohs(((struct sockaddr_in *)&storage)->sin_port));
  if (storage.ss_family == AF_INET6) return int32_value(env, ntohs(((struct sockaddr_in6 *)&storage)->sin6_port));
  return int32_value(env, -EAFNOSUPPORT);
}

static int same_sockaddr(const void *a, size_t a_size, const void *b, size_t b_size) {
  return a_size == b_size && (a == b || memcmp(a, b, a_size) == 0);
}

/*
 * sendBatch(fd, datagrams, sockaddrs, start, count, gso): sends datagrams[start, start+count)
 * with one sendmmsg. Returns how many datagrams left (may be fewer than count: the caller
 * retries the rest), or -errno when the first message failed (EAGAIN: the send buffer is full).
 */
static napi_value send_batch(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  int32_t fd, start, count;
  bool gso;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(env, napi_get_value_int32(env, argv[0], &fd));
  CHECK(env, napi_get_value_int32(env, argv[3], &start));
  CHECK(env, napi_get_value_int32(env, argv[4], &count));
  CHECK(env, napi_get_value_bool(env, argv[5], &gso));
  if (count > SEND_BATCH_MAX) count = SEND_BATCH_MAX;
  if (count <= 0 || start < 0) return int32_value(env, 0);

  struct iovec iov[SEND_BATCH_MAX];
  void *names[SEND_BATCH_MAX];
  size_t name_sizes[SEND_BATCH_MAX];
  for (int32_t i = 0; i < count; i++) {
    napi_value datagram, name;
    size_t length, name_size;
    void *data, *name_data;
    CHECK(env, napi_get_element(env, argv[1], (uint32_t)(start + i), &datagram));
    CHECK(env, napi_get_element(env, argv[2], (uint32_t)(start + i), &name));
    CHECK(env, napi_get_typedarray_info(env, datagram, NULL, &length, &data, NULL, NULL));
    CHECK(env, napi_get_typedarray_info(env, name, NULL, &name_size, &name_data, NULL, NULL));
    iov[i].iov_base = data;
    iov[i].iov_len = length;
    names[i] = name_data;
    name_sizes[i] = name_size;
  }

  struct mmsghdr messages[SEND_BATCH_MAX];
  int32_t datagrams_in[SEND_BATCH_MAX];
  char control[SEND_BATCH_MAX][CMSG_SPACE(sizeof(uint16_t))];
  int message_count = 0;
  for (int32_t i = 0; i < count;) {
    /* A GSO run: every segment but the last exactly `segment` bytes, same destination. */
    size_t segment = iov[i].iov_len, total = segment;
    int32_t end = i + 1;
    if (gso && segment > 0) {
      while (end < count && end - i < GSO_SEGMENTS_MAX && iov[end - 1].iov_len == segment && iov[end].iov_len > 0 &&
             iov[end].iov_len <= segment && total + iov[end].iov_len <= GSO_BYTES_MAX &&
             same_sockaddr(names[i], name_sizes[i], names[end], name_sizes[end])) {
        total += iov[end].iov_len;
        end++;
      }
    }
    struct msghdr *header = &messages[message_count].msg_hdr;
    memset(&messages[message_count], 0, sizeof messages[message_count]);
    header->msg_name = names[i];
    header->msg_namelen = (socklen_t)name_sizes[i];
    header->msg_iov = &iov[i];
    header->msg_iovlen = (size_t)(end - i);
    if (end - i > 1) {
      header->msg_control = control[message_count];
      header->msg_controllen = sizeof control[message_count];
      memset(header->msg_control, 0, header->msg_controllen);
      struct cmsghdr *cmsg = CMSG_FIRSTHDR(header);
      cmsg->cmsg_level = SOL_UDP;
      cmsg->cmsg_type = UDP_SEGMENT;
      cmsg->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      uint16_t segment16 = (uint16_t)segment;
      memcpy(CMSG_DATA(cmsg), &segment16, sizeof segment16);
    }
    datagrams_in[message_count++] = end - i;
    i = end;
  }

  int result;
  do {
    result = sendmmsg(fd, messages, (unsigned int)message_count, MSG_DONTWAIT);
  } while (result < 0 && errno == EINTR);
  if (result < 0) return int32_value(env, -errno);
  int32_t sent = 0;
  for (int m = 0; m < result; m++) sent += datagrams_in[m];
  return int32_value(env, sent);
}

/* enableGro(fd): 0, or -errno when the kernel cannot coalesce (then every message is one datagram). */
static napi_value enable_gro(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (fd_argument(env, info, &fd) != 0) return NULL;
  int one = 1;
  return int32_value(env, setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof one) == 0 ? 0 : -errno);
}

typedef struct {
  uv_poll_t poll;
  napi_env env;
  int fd; /* our dup of the socket's descriptor */
  napi_ref callback, slab_ref, lengths_ref, segments_ref, last_address;
  uint8_t *slab;
  size_t slot_bytes;
  int batch;
  int32_t *lengths, *segments;
  struct sockaddr_storage last_from;
  socklen_t last_from_size;
  int stopped;   /* stopReceive ran (or the external was collected): no more callbacks */
  int closed;    /* libuv closed the poll handle and the duplicate descriptor is closed */
  int finalized; /* the JavaScript external is gone: whoever finishes last frees */
} receiver_t;

static napi_value address_string(napi_env env, receiver_t *receiver, const struct sockaddr_storage *from, socklen_t size) {
  napi_value value;
  if (receiver->last_address != NULL && same_sockaddr(from, size, &receiver->last_from, receiver->last_from_size) &&
      napi_get_reference_value(env, receiver->last_address, &value) == napi_ok && value != NULL)
    return value;
  char host[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN + 16];
  int length;
  if (from->ss_family == AF_INET6) {
    const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)from;
    inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
    length = snprintf(text, sizeof text, "[%s]:%u", host, ntohs(v6->sin6_port));
  } else {
    const struct sockaddr_in *v4 = (const struct sockaddr_in *)from;
    inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
    length = snprintf(text, sizeof text, "%s:%u", host, ntohs(v4->sin_port));
  }
  napi_create_string_latin1(env, text, (size_t)length, &value);
  if (receiver->last_address != NULL) napi_delete_reference(env, receiver->last_address);
  napi_create_reference(env, value, 1, &receiver->last_address);
  memcpy(&receiver->last_from, from, size);
  receiver->last_from_size = size;
  return value;
}

/* Calls callback(count, addresses) or, on a receive error, callback(-errno, undefined). */
static int deliver(receiver_t *receiver, napi_value count, napi_value addresses) {
  napi_env env = receiver->env;
  napi_value callback, global, argv[2] = {count, addresses}, result;
  napi_get_reference_value(env, receiver->callback, &callback);
  napi_get_global(env, &global);
  napi_status status = napi_make_callback(env, NULL, global, callback, 2, argv, &result);
  if (status == napi_pending_exception) {
    /* As for a throwing 'message' listener: the process's uncaught-exception path. */
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
    return -1;
  }
  return status == napi_ok ? 0 : -1;
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  receiver_t *receiver = handle->data;
  napi_env env = receiver->env;
  if (receiver->stopped || status < 0) return;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  struct mmsghdr messages[RECEIVE_BATCH_MAX];
  struct iovec iov[RECEIVE_BATCH_MAX];
  struct sockaddr_storage from[RECEIVE_BATCH_MAX];
  char control[RECEIVE_BATCH_MAX][CMSG_SPACE(sizeof(int))];
  for (int round = 0; round < RECEIVE_ROUNDS_MAX && !receiver->stopped; round++) {
    memset(messages, 0, sizeof(struct mmsghdr) * (size_t)receiver->batch);
    for (int i = 0; i < receiver->batch; i++) {
      iov[i].iov_base = receiver->slab + (size_t)i * receiver->slot_bytes;
      iov[i].iov_len = receiver->slot_bytes;
      messages[i].msg_hdr.msg_iov = &iov[i];
      messages[i].msg_hdr.msg_iovlen = 1;
      messages[i].msg_hdr.msg_name = &from[i];
      messages[i].msg_hdr.msg_namelen = sizeof from[i];
      messages[i].msg_hdr.msg_control = control[i];
      messages[i].msg_hdr.msg_controllen = sizeof control[i];
    }
    int received;
    do {
      received = recvmmsg(receiver->fd, messages, (unsigned int)receiver->batch, MSG_DONTWAIT, NULL);
    } while (received < 0 && errno == EINTR);
    if (received < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) deliver(receiver, int32_value(env, -errno), undefined_value(env));
      break;
    }
    if (received == 0) break;
    napi_value addresses;
    napi_create_array_with_length(env, (size_t)received, &addresses);
    for (int i = 0; i < received; i++) {
      struct msghdr *header = &messages[i].msg_hdr;
      receiver->lengths[i] = (int32_t)messages[i].msg_len;
      receiver->segments[i] = (int32_t)messages[i].msg_len;
      for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(header); cmsg != NULL; cmsg = CMSG_NXTHDR(header, cmsg)) {
        if (cmsg->cmsg_level == SOL_UDP && cmsg->cmsg_type == UDP_GRO) {
          int segment;
          memcpy(&segment, CMSG_DATA(cmsg), sizeof segment);
          if (segment > 0) receiver->segments[i] = segment;
        }
      }
      napi_set_element(env, addresses, (uint32_t)i, address_string(env, receiver, &from[i], header->msg_namelen));
    }
    if (deliver(receiver, int32_value(env, received), addresses) != 0) break;
    if (received < receiver->batch) break;
  }
  napi_close_handle_scope(env, scope);
}

static void on_closed(uv_handle_t *handle) {
  receiver_t *receiver = handle->data;
  close(receiver->fd);
  receiver->fd = -1;
  receiver->closed = 1;
  if (receiver->finalized) free(receiver);
}

static void stop(receiver_t *receiver) {
  if (receiver->stopped) return;
  receiver->stopped = 1;
  napi_env env = receiver->env;
  napi_ref *refs[] = {&receiver->callback, &receiver->slab_ref, &receiver->lengths_ref, &receiver->segments_ref, &receiver->last_address};
  for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
    if (*refs[i] != NULL) napi_delete_reference(env, *refs[i]);
    *refs[i] = NULL;
  }
  uv_poll_stop(&receiver->poll);
  uv_close((uv_handle_t *)&receiver->poll, on_closed);
}

static void finalize_receiver(napi_env env, void *data, void *hint) {
  receiver_t *receiver = data;
  receiver->finalized = 1;
  if (!receiver->stopped) stop(receiver);
  else if (receiver->closed) free(receiver);
}

/*
 * startReceive(fd, slab: Uint8Array, slotBytes, lengths: Int32Array, segments: Int32Array,
 * callback(count, addresses)): a handle for stopReceive. Message i is in
 * slab[i*slotBytes, i*slotBytes + lengths[i]), cut into datagrams of segments[i] bytes.
 */
static napi_value start_receive(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  int32_t fd, slot_bytes;
  size_t slab_bytes, lengths_count, segments_count;
  void *slab, *lengths, *segments;
  napi_typedarray_type type;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(env, napi_get_value_int32(env, argv[0], &fd));
  CHECK(env, napi_get_typedarray_info(env, argv[1], NULL, &slab_bytes, &slab, NULL, NULL));
  CHECK(env, napi_get_value_int32(env, argv[2], &slot_bytes));
  CHECK(env, napi_get_typedarray_info(env, argv[3], &type, &lengths_count, &lengths, NULL, NULL));
  CHECK(env, napi_get_typedarray_info(env, argv[4], &type, &segments_count, &segments, NULL, NULL));
  if (slot_bytes <= 0 || slab_bytes < (size_t)slot_bytes) {
    napi_throw_range_error(env, "PARLEY_UDP", "startReceive: the slab holds no slot");
    return NULL;
  }
  int batch = (int)(slab_bytes / (size_t)slot_bytes);
  if (batch > RECEIVE_BATCH_MAX) batch = RECEIVE_BATCH_MAX;
  if ((size_t)batch > lengths_count || (size_t)batch > segments_count) {
    napi_throw_range_error(env, "PARLEY_UDP", "startReceive: lengths and segments need one entry per slot");
    return NULL;
  }
  uv_loop_t *loop;
  CHECK(env, napi_get_uv_event_loop(env, &loop));
  receiver_t *receiver = calloc(1, sizeof *receiver);
  if (receiver == NULL) {
    napi_throw_error(env, "PARLEY_UDP", "startReceive: out of memory");
    return NULL;
  }
  receiver->env = env;
  receiver->slab = slab;
  receiver->slot_bytes = (size_t)slot_bytes;
  receiver->batch = batch;
  receiver->lengths = lengths;
  receiver->segments = segments;
  /* libuv's loop already has a watcher for fd (the dgram handle); a duplicate is a separate epoll entry. */
  receiver->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (receiver->fd < 0) {
    int error = errno;
    free(receiver);
    napi_throw_error(env, "PARLEY_UDP", strerror(error));
    return NULL;
  }
  int error = uv_poll_init(loop, &receiver->poll, receiver->fd);
  if (error == 0) {
    receiver->poll.data = receiver;
    error = uv_poll_start(&receiver->poll, UV_READABLE, on_readable);
    if (error != 0) {
      receiver->stopped = 1;
      receiver->finalized = 1; /* no external will exist: on_closed frees */
      uv_close((uv_handle_t *)&receiver->poll, on_closed);
      napi_throw_error(env, "PARLEY_UDP", uv_strerror(error));
      return NULL;
    }
  } else {
    close(receiver->fd);
    free(receiver);
    napi_throw_error(env, "PARLEY_UDP", uv_strerror(error));
    return NULL;
  }
  napi_create_reference(env, argv[1], 1, &receiver->slab_ref);
  napi_create_reference(env, argv[3], 1, &receiver->lengths_ref);
  napi_create_reference(env, argv[4], 1, &receiver->segments_ref);
  napi_create_reference(env, argv[5], 1, &receiver->callback);
  napi_value external;
  CHECK(env, napi_create_external(env, receiver, finalize_receiver, NULL, &external));
  return external;
}

/* stopReceive(handle): stops polling and closes the duplicate descriptor. Idempotent. */
static napi_value stop_receive(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(env, napi_get_value_external(env, argv[0], &data));
  stop((receiver_t *)data);
  return undefined_value(env);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"sockaddr", NULL, make_sockaddr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"localPort", NULL, local_port, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sendBatch", NULL, send_batch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"enableGro", NULL, enable_gro, NULL, NULL, NULL, napi_enumerable, NULL},
      {"startReceive", NULL, start_receive, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stopReceive", NULL, stop_receive, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
