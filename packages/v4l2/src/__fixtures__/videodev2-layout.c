/* Prints the sizes, offsets, request numbers and constants @deepseg/v4l2 uses, as JSON, from the
 * system's <linux/videodev2.h>. Compiled and run by layout.test.ts. */
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <stddef.h>
#include <stdio.h>

#define S(t) printf("\"sizeof %s\": %zu,\n", #t, sizeof(struct t))
#define O(t, f) printf("\"%s.%s\": %zu,\n", #t, #f, offsetof(struct t, f))
#define N(x) printf("\"%s\": %lu,\n", #x, (unsigned long)(x))

int main(void) {
  printf("{\n");
  S(v4l2_capability); O(v4l2_capability, driver); O(v4l2_capability, card); O(v4l2_capability, bus_info);
  O(v4l2_capability, version); O(v4l2_capability, capabilities); O(v4l2_capability, device_caps);
  S(v4l2_fmtdesc); O(v4l2_fmtdesc, index); O(v4l2_fmtdesc, type); O(v4l2_fmtdesc, flags);
  O(v4l2_fmtdesc, description); O(v4l2_fmtdesc, pixelformat); O(v4l2_fmtdesc, mbus_code);
  S(v4l2_frmsizeenum); O(v4l2_frmsizeenum, index); O(v4l2_frmsizeenum, pixel_format); O(v4l2_frmsizeenum, type);
  O(v4l2_frmsizeenum, discrete); O(v4l2_frmsizeenum, stepwise);
  S(v4l2_frmivalenum); O(v4l2_frmivalenum, index); O(v4l2_frmivalenum, pixel_format); O(v4l2_frmivalenum, width);
  O(v4l2_frmivalenum, height); O(v4l2_frmivalenum, type); O(v4l2_frmivalenum, discrete); O(v4l2_frmivalenum, stepwise);
  S(v4l2_format); O(v4l2_format, type); O(v4l2_format, fmt);
  S(v4l2_pix_format); O(v4l2_pix_format, width); O(v4l2_pix_format, height); O(v4l2_pix_format, pixelformat);
  O(v4l2_pix_format, field); O(v4l2_pix_format, bytesperline); O(v4l2_pix_format, sizeimage);
  O(v4l2_pix_format, colorspace); O(v4l2_pix_format, priv); O(v4l2_pix_format, flags); O(v4l2_pix_format, ycbcr_enc);
  O(v4l2_pix_format, quantization); O(v4l2_pix_format, xfer_func);
  S(v4l2_streamparm); O(v4l2_streamparm, type); O(v4l2_streamparm, parm);
  S(v4l2_captureparm); O(v4l2_captureparm, capability); O(v4l2_captureparm, capturemode);
  O(v4l2_captureparm, timeperframe); O(v4l2_captureparm, extendedmode); O(v4l2_captureparm, readbuffers);
  S(v4l2_outputparm); O(v4l2_outputparm, capability); O(v4l2_outputparm, outputmode);
  O(v4l2_outputparm, timeperframe); O(v4l2_outputparm, extendedmode); O(v4l2_outputparm, writebuffers);
  S(v4l2_requestbuffers); O(v4l2_requestbuffers, count); O(v4l2_requestbuffers, type); O(v4l2_requestbuffers, memory);
  O(v4l2_requestbuffers, capabilities);
  S(v4l2_buffer); O(v4l2_buffer, index); O(v4l2_buffer, type); O(v4l2_buffer, bytesused); O(v4l2_buffer, flags);
  O(v4l2_buffer, field); O(v4l2_buffer, timestamp); O(v4l2_buffer, timecode); O(v4l2_buffer, sequence);
  O(v4l2_buffer, memory); O(v4l2_buffer, m); O(v4l2_buffer, length); O(v4l2_buffer, reserved2);
  O(v4l2_buffer, request_fd);
  printf("\"v4l2_buffer.timestamp.tv_usec\": %zu,\n", offsetof(struct v4l2_buffer, timestamp) + offsetof(struct timeval, tv_usec));
  S(v4l2_control); O(v4l2_control, id); O(v4l2_control, value);
  N(VIDIOC_QUERYCAP); N(VIDIOC_ENUM_FMT); N(VIDIOC_G_FMT); N(VIDIOC_S_FMT); N(VIDIOC_REQBUFS); N(VIDIOC_QUERYBUF);
  N(VIDIOC_QBUF); N(VIDIOC_DQBUF); N(VIDIOC_STREAMON); N(VIDIOC_STREAMOFF); N(VIDIOC_G_PARM); N(VIDIOC_S_PARM);
  N(VIDIOC_G_CTRL); N(VIDIOC_S_CTRL); N(VIDIOC_TRY_FMT); N(VIDIOC_ENUM_FRAMESIZES); N(VIDIOC_ENUM_FRAMEINTERVALS);
  N(V4L2_BUF_TYPE_VIDEO_CAPTURE); N(V4L2_BUF_TYPE_VIDEO_OUTPUT); N(V4L2_MEMORY_MMAP); N(V4L2_FIELD_ANY); N(V4L2_FIELD_NONE);
  N(V4L2_CAP_VIDEO_CAPTURE); N(V4L2_CAP_VIDEO_OUTPUT); N(V4L2_CAP_VIDEO_CAPTURE_MPLANE); N(V4L2_CAP_VIDEO_OUTPUT_MPLANE);
  N(V4L2_CAP_VIDEO_M2M_MPLANE); N(V4L2_CAP_VIDEO_M2M); N(V4L2_CAP_EXT_PIX_FORMAT); N(V4L2_CAP_META_CAPTURE);
  N(V4L2_CAP_READWRITE); N(V4L2_CAP_STREAMING); N(V4L2_CAP_DEVICE_CAPS); N(V4L2_CAP_TIMEPERFRAME);
  N(V4L2_BUF_FLAG_MAPPED); N(V4L2_BUF_FLAG_QUEUED); N(V4L2_BUF_FLAG_DONE); N(V4L2_BUF_FLAG_ERROR);
  N(V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC); N(V4L2_FRMSIZE_TYPE_DISCRETE); N(V4L2_FRMSIZE_TYPE_CONTINUOUS);
  N(V4L2_FRMSIZE_TYPE_STEPWISE); N(V4L2_COLORSPACE_DEFAULT); N(V4L2_COLORSPACE_SMPTE170M); N(V4L2_COLORSPACE_REC709);
  N(V4L2_COLORSPACE_JPEG); N(V4L2_COLORSPACE_SRGB);
  N(V4L2_PIX_FMT_YUYV); N(V4L2_PIX_FMT_MJPEG); N(V4L2_PIX_FMT_NV12); N(V4L2_PIX_FMT_YUV420); N(V4L2_PIX_FMT_UYVY);
  N(V4L2_PIX_FMT_RGB24); N(V4L2_PIX_FMT_BGR24); N(V4L2_PIX_FMT_GREY);
  N(EPERM); N(ENOENT); N(EINTR); N(EIO); N(ENXIO); N(EBADF); N(EAGAIN); N(ENOMEM); N(EACCES); N(EFAULT); N(EBUSY);
  N(ENODEV); N(EINVAL); N(ENOSPC); N(EPIPE); N(ENOTTY);
  N(O_RDWR); N(O_NONBLOCK); N(O_CLOEXEC);
  printf("\"end\": 0\n}\n");
  return 0;
}
